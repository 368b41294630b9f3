// Running a license change as a recorded operation: the journal entry whose id is the idempotency key's,
// its chunks, the lease (an owner and a heartbeat written with each chunk), takeover of a stale
// operation, and recovery of those whose process died. One code path whatever the directory is.
import { randomUUID } from 'node:crypto';
import { ChunkWriter } from './apply-chunk';
import type { Catalog } from './catalog';
import { log, withLogFields } from './logging';
import type { CustomerDirectory, DirectoryUserRecord } from './directory-port';
import type { ParsedChangeRequest } from './model';
import { countOutcomes, emptyCounts, predict, type Preview } from './preview';
import { operationIdFor, type OperationDoc, type OperationRepository } from './store/operations';

export interface OperationResult extends Preview {
  operationId: string;
  status: 'running' | 'completed';
  requestedBy: ParsedChangeRequest['requestedBy'];
  createdAt: string;
  completedAt?: string;
  /** True when this call found the operation already recorded (same idempotency key) and changed nothing. */
  replayed: boolean;
  /** Running, but its process stopped beating: `apply` with the same key takes it over and finishes it. */
  stale: boolean;
}

export interface Progress {
  operationId: string;
  processed: number;
  total: number;
  counts: OperationDoc['counts'];
}

export class OperationStillRunningError extends Error {
  readonly code = 'stillRunning';
  constructor(readonly operationId: string) {
    super(`Operation ${operationId} is still running.`);
  }
}

export interface RunnerOptions {
  /** Users per chunk: one seat reservation per product and one results document per chunk. */
  chunkSize: number;
  /** User writes in flight at once. */
  concurrency: number;
  /** A running operation whose heartbeat is older than this is taken over by recovery. */
  staleAfterMs: number;
  /** How long `apply` waits for another caller's run of the same idempotency key. */
  waitForRunningMs: number;
}

const now = () => new Date().toISOString();
type OnProgress = (p: Progress) => void;

export class OperationRunner {
  private readonly instanceId = randomUUID();
  /** Operations this process is running: never "stale" to itself, whatever their heartbeat says. */
  private readonly runningHere = new Set<string>();
  private readonly chunks: ChunkWriter;

  constructor(
    private readonly directory: CustomerDirectory,
    private readonly operations: OperationRepository,
    private readonly loadCatalog: (customerKey: string) => Promise<Catalog>,
    private readonly options: RunnerOptions,
  ) {
    this.chunks = new ChunkWriter(directory, options.concurrency);
  }

  /** Applies an authorized change; the same idempotency key again awaits or replays the recorded operation. */
  async apply(req: ParsedChangeRequest, onProgress?: OnProgress): Promise<OperationResult> {
    const operationId = operationIdFor(req.customerKey, req.idempotencyKey);
    return withLogFields({ operationId }, () => this.applyAs(operationId, req, onProgress));
  }

  private async applyAs(operationId: string, req: ParsedChangeRequest, onProgress?: OnProgress): Promise<OperationResult> {
    const existing = await this.operations.get(req.customerKey, operationId);
    if (existing) return this.awaitExisting(existing);

    const catalog = await this.loadCatalog(req.customerKey);
    // Read once, used by the prediction and by the chunks: a user changed since is caught by its write.
    const users = await this.directory.usersById(req.customerKey, req.userIds);
    const { seatDemand } = predict(req, catalog, users);
    const op: OperationDoc = {
      id: operationId, type: 'operation', customerId: req.customerKey, idempotencyKey: req.idempotencyKey, request: req,
      status: 'running', createdAt: now(), heartbeatAt: now(), owner: this.instanceId, attempt: 1,
      chunkSize: this.options.chunkSize, chunkCount: Math.ceil(req.userIds.length / this.options.chunkSize), completedChunks: 0,
      seatDemand, counts: emptyCounts(),
    };
    // Ours from the moment it exists: a sweep in this process must not see it as stale.
    this.runningHere.add(operationId);
    let created: OperationDoc | undefined;
    try {
      created = (await this.operations.create(op)) ? await this.operations.get(req.customerKey, operationId) : undefined;
    } finally {
      if (!created) this.runningHere.delete(operationId);
    }
    if (!created) return this.awaitExisting((await this.operations.get(req.customerKey, operationId))!);
    log.info({ customerId: req.customerKey, users: req.userIds.length, chunks: op.chunkCount }, 'operation started');
    return this.run(created, onProgress, users);
  }

  /** Running, but its process stopped beating (its heartbeat is older than the lease). */
  isStale(op: OperationDoc): boolean {
    return op.status === 'running' && Date.now() - Date.parse(op.heartbeatAt) > this.options.staleAfterMs;
  }

  /** Waits for an operation already under way, or takes it over and finishes it once it is stale. */
  async awaitExisting(op: OperationDoc, onProgress?: OnProgress): Promise<OperationResult> {
    return withLogFields({ operationId: op.id }, () => this.awaitOperation(op, onProgress));
  }

  private async awaitOperation(op: OperationDoc, onProgress?: OnProgress): Promise<OperationResult> {
    const deadline = Date.now() + this.options.waitForRunningMs;
    let current: OperationDoc | undefined = op;
    while (current && current.status === 'running') {
      if (this.isStale(current)) {
        const resumed = await this.takeOver(current);
        if (resumed) return { ...(await this.run(resumed, onProgress)), replayed: true };
      }
      if (Date.now() > deadline) throw new OperationStillRunningError(op.id);
      await new Promise((r) => setTimeout(r, 200));
      current = await this.operations.get(op.customerId, op.id);
    }
    return this.resultOf(current!, true);
  }

  async resultOf(op: OperationDoc, replayed: boolean): Promise<OperationResult> {
    const results = await this.operations.results(op);
    return {
      operationId: op.id, customerKey: op.customerId, status: op.status, requestedBy: op.request.requestedBy,
      createdAt: op.createdAt, completedAt: op.completedAt, results, counts: countOutcomes(results), seatDemand: op.seatDemand, replayed,
      stale: this.isStale(op),
    };
  }

  /** Finishes operations whose process died; returns how many it took over. */
  async recoverInterrupted(staleAfterMs = this.options.staleAfterMs): Promise<number> {
    const stale = await this.operations.stale(new Date(Date.now() - staleAfterMs).toISOString());
    let recovered = 0;
    for (const op of stale) {
      const mine = await withLogFields({ operationId: op.id }, () => this.takeOver(op));
      if (!mine) continue;
      await this.run(mine);
      recovered++;
    }
    return recovered;
  }

  /** Claims a stale operation for this process; undefined when another process got there first. */
  private async takeOver(op: OperationDoc): Promise<OperationDoc | undefined> {
    if (this.runningHere.has(op.id)) return undefined;
    const mine = await this.operations.replaceIfUnchanged({ ...op, owner: this.instanceId, attempt: op.attempt + 1, heartbeatAt: now() });
    if (mine) log.warn({ customerId: op.customerId, attempt: mine.attempt, heartbeatAt: op.heartbeatAt, completedChunks: op.completedChunks, chunks: op.chunkCount }, 'took over a stale operation');
    return mine;
  }

  private async run(start: OperationDoc, onProgress?: OnProgress, prefetched?: Map<string, DirectoryUserRecord>): Promise<OperationResult> {
    this.runningHere.add(start.id);
    try {
      // Every line of the change — chunks, retries, the bot's progress updates — names the operation.
      return await withLogFields({ operationId: start.id }, () => this.runChunks(start, onProgress, prefetched));
    } catch (err) {
      withLogFields({ operationId: start.id }, () => log.error({ err, attempt: start.attempt }, 'operation attempt failed'));
      throw err;
    } finally {
      this.runningHere.delete(start.id);
    }
  }

  private async runChunks(start: OperationDoc, onProgress?: OnProgress, prefetched?: Map<string, DirectoryUserRecord>): Promise<OperationResult> {
    let op = start;
    const catalog = await this.loadCatalog(op.customerId);
    const total = op.request.userIds.length;
    for (let chunk = op.completedChunks; chunk < op.chunkCount; chunk++) {
      const saved = await this.operations.chunk(op, chunk);
      const results = saved ? saved.results : await this.chunks.write(op, chunk, catalog, prefetched);
      if (!saved) await this.operations.saveChunk(op, chunk, results);
      const counts = countOutcomes(results);
      // The heartbeat: written with each chunk, conditional on the lease still being ours.
      const next = await this.operations.replaceIfUnchanged({
        ...op,
        completedChunks: chunk + 1,
        heartbeatAt: now(),
        counts: { succeeded: op.counts.succeeded + counts.succeeded, failed: op.counts.failed + counts.failed, noChange: op.counts.noChange + counts.noChange },
      });
      // Another process took the operation over (we were thought dead): it finishes it, we stop.
      if (!next) {
        log.warn({ chunk }, 'lost the operation to another instance; it finishes the change');
        return this.awaitExisting((await this.operations.get(op.customerId, op.id))!);
      }
      op = next;
      log.debug({ chunk, counts }, 'chunk written');
      onProgress?.({ operationId: op.id, processed: Math.min(total, (chunk + 1) * op.chunkSize), total, counts: op.counts });
    }
    const done = await this.operations.replaceIfUnchanged({ ...op, status: 'completed', completedAt: now(), heartbeatAt: now() });
    if (!done) return this.awaitExisting((await this.operations.get(op.customerId, op.id))!);
    log.info({ customerId: op.customerId, attempt: op.attempt, counts: op.counts, ms: Date.now() - Date.parse(op.createdAt) }, 'operation completed');
    return this.resultOf(done, op.attempt > 1);
  }
}
