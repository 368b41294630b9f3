// Running a license change as a recorded operation: the journal entry whose id is the idempotency key's,
// its chunks, the lease (lease.ts: an owner, a heartbeat, a fence before every write), takeover of a
// stale operation, recovery of those whose process died, and a graceful stop. One code path whatever
// the directory is.
import { randomUUID } from 'node:crypto';
import { ChunkWriter, type ChunkTurn } from './apply-chunk';
import { Lease, LeaseLostError } from './lease';
import { ContentionError, costFields, countingRequests, isUnknownOutcome, retryDelay, statusOf, type RequestCost } from './store/cosmos';
import type { Catalog } from './catalog';
import { log, withLogFields } from './logging';
import { DirectoryUnreachableError, type CustomerDirectory, type DirectoryUserRecord } from './directory-port';
import type { ParsedChangeRequest } from './model';
import { countOutcomes, emptyCounts, predictInParts, type Preview } from './preview';
import { operationIdFor, OperationRepository, type OperationDoc, type SeatDemand } from './store/operations';

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
  /** How many users the change is for (results cover only the finished chunks while it runs). */
  userCount?: number;
  /** Running, but stopped because the customer's directory could not be reached (see OperationDoc.blocked). */
  blocked?: { reason: string; at: string };
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
  /** User writes in flight at once, per chunk. */
  concurrency: number;
  /**
   * Chunks in flight at once (default 1: one after the other). More overlap one chunk's seat
   * bookkeeping and journal writes with the next one's user writes; seats are still held in request
   * order and always before a user gets one, and chunks are journalled in order. Only for a seat ledger
   * that holds seats (Cosmos); Graph's directory counts seats itself after each chunk.
   */
  chunksInFlight?: number;
  /** A running operation whose heartbeat is older than this is taken over by recovery. */
  staleAfterMs: number;
  /** How long `apply` waits for another caller's run of the same idempotency key. */
  waitForRunningMs: number;
  /**
   * How long this process's own heartbeat guards it (default 60 s, the deployment's lease): its fence
   * closes at two thirds of it. `staleAfterMs` is how impatient this process is with others' heartbeats;
   * in production the two are equal (a taker more impatient than the lease would defeat the fence).
   */
  leaseMs?: number;
  /** The heartbeat is renewed this often while a chunk runs (default: a sixth of the lease; 0: per chunk only). */
  renewEveryMs?: number;
  /**
   * Store faults that outlast a request's own retries are retried by the run itself this many times
   * (from the failed chunk, as a new attempt), before it lets go of the lease for the sweep.
   */
  runRetries?: number;
  /** A blocked operation (directory unreachable) is retried by the sweep at most this often (default 5 min). */
  blockedRetryMs?: number;
}

/**
 * Telling the admin who started an operation how it goes, wherever it is finished. `notify` is what the
 * front end stored with the operation (opaque here: for the bot, a conversation reference and the id of
 * the progress message). Called by the process that runs the operation after a takeover (recovery, or
 * another click), since the one the admin clicked in is gone.
 */
export interface OperationNotifier {
  progress(notify: unknown, progress: Progress): Promise<void>;
  finished(notify: unknown, result: OperationResult): Promise<void>;
}

/** The process is stopping (SIGTERM): no new operation is started, and a running one stops after its chunk. */
export class RunnerStoppingError extends Error {
  readonly code = 'stopping';
  constructor(readonly operationId?: string) {
    super(operationId ? `Stopped after a chunk of ${operationId}; another process resumes it.` : 'The process is stopping; no new change is started.');
  }
}

/** A chunk that did not start writing because another chunk of the run failed first (never thrown out of a run). */
class ChunkAbandonedError extends Error {
  constructor() {
    super('another chunk of this run failed first');
  }
}

/** Faults of the store (throttling, lost replies, resets, timeouts, contention): worth another try. */
export const isStoreFault = (err: unknown) => err instanceof ContentionError || statusOf(err) === 429 || isUnknownOutcome(err);

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_BLOCKED_RETRY_MS = 5 * 60_000;
/** Requests up to this many users are read once before the run and kept for its chunks. */
const PREFETCH_UP_TO = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Progress for a waiting admin elsewhere: at most this often. */
const NOTIFY_PROGRESS_EVERY_MS = 2_000;

const now = () => new Date().toISOString();
type OnProgress = (p: Progress) => void;

export class OperationRunner {
  private readonly instanceId = randomUUID();
  /** Operations this process is running: never "stale" to itself, whatever their heartbeat says. */
  private readonly runningHere = new Set<string>();
  private readonly chunks: ChunkWriter;
  private notifier?: OperationNotifier;
  private stopping = false;

  constructor(
    private readonly directory: CustomerDirectory,
    private readonly operations: OperationRepository,
    private readonly loadCatalog: (customerKey: string) => Promise<Catalog>,
    private readonly options: RunnerOptions,
  ) {
    this.chunks = new ChunkWriter(directory, options.concurrency);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Who tells the waiting admin about operations this process finishes after a takeover. */
  notifyWith(notifier: OperationNotifier): void {
    this.notifier = notifier;
  }

  /**
   * Applies an authorized change; the same idempotency key again awaits or replays the recorded operation.
   * `notify`: where the admin waits, stored with the operation for whoever finishes it.
   */
  async apply(req: ParsedChangeRequest, onProgress?: OnProgress, notify?: unknown): Promise<OperationResult> {
    const operationId = operationIdFor(req.customerKey, req.idempotencyKey);
    return withLogFields({ operationId }, () => this.applyAs(operationId, req, onProgress, notify));
  }

  private async applyAs(operationId: string, req: ParsedChangeRequest, onProgress?: OnProgress, notify?: unknown): Promise<OperationResult> {
    const existing = await this.operations.get(req.customerKey, operationId);
    if (existing) return this.awaitExisting(existing);
    if (this.stopping) throw new RunnerStoppingError();

    const catalog = await this.loadCatalog(req.customerKey);
    const { seatDemand, users } = await this.demandOf(req, catalog);
    const op: OperationDoc = {
      id: operationId, type: 'operation', customerId: req.customerKey, idempotencyKey: req.idempotencyKey, request: req,
      status: 'running', createdAt: now(), heartbeatAt: now(), owner: this.instanceId, attempt: 1,
      chunkSize: this.options.chunkSize, chunkCount: Math.ceil(req.userIds.length / this.options.chunkSize), completedChunks: 0,
      seatDemand, counts: emptyCounts(), ...(notify === undefined ? {} : { notify }),
    };
    // Ours from the moment it exists: a sweep in this process must not see it as stale.
    this.runningHere.add(operationId);
    let created: OperationDoc | undefined;
    const sentAt = Date.now();
    try {
      // A large request's ids are written apart first (the stored header then names them).
      created = (await this.operations.create(await this.operations.prepare(op))) ? await this.operations.get(req.customerKey, operationId) : undefined;
    } finally {
      if (!created) this.runningHere.delete(operationId);
    }
    if (!created) return this.awaitExisting((await this.operations.get(req.customerKey, operationId))!);
    log.info({ customerId: req.customerKey, users: req.userIds.length, chunks: op.chunkCount }, 'operation started');
    return this.run(this.leaseOn(created, sentAt), { onProgress, prefetched: users, takenOver: false });
  }

  /**
   * The whole request's seat demand. Up to PREFETCH_UP_TO users are read once and kept for the chunks
   * (a user changed since is caught by its write); a larger request is read in parts and not kept, so
   * 100,000 users are never in memory at once (each chunk then reads its own users).
   */
  private async demandOf(req: ParsedChangeRequest, catalog: Catalog): Promise<{ seatDemand: SeatDemand[]; users?: Map<string, DirectoryUserRecord> }> {
    let kept: Map<string, DirectoryUserRecord> | undefined;
    const read = async (ids: string[]) => {
      const users = await this.directory.usersById(req.customerKey, ids);
      if (ids.length === req.userIds.length) kept = users;
      return users;
    };
    const { seatDemand } = await predictInParts(req, catalog, read, PREFETCH_UP_TO);
    return { seatDemand, users: kept };
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
      if (this.isStale(current) && !this.stopping) {
        const lease = await this.takeOver(current);
        if (lease) return { ...(await this.run(lease, { onProgress, takenOver: true })), replayed: true };
      }
      if (Date.now() > deadline) throw new OperationStillRunningError(op.id);
      await sleep(200);
      current = await this.operations.get(op.customerId, op.id);
    }
    return this.resultOf(current!, true);
  }

  async resultOf(op: OperationDoc, replayed: boolean): Promise<OperationResult> {
    const results = await this.operations.results(op);
    return {
      operationId: op.id, customerKey: op.customerId, status: op.status, requestedBy: op.request.requestedBy,
      createdAt: op.createdAt, completedAt: op.completedAt, results, counts: countOutcomes(results), seatDemand: op.seatDemand, replayed,
      stale: this.isStale(op), userCount: op.request.userIds.length,
      ...(op.blocked && op.status === 'running' ? { blocked: op.blocked } : {}),
    };
  }

  /**
   * Finishes operations whose process died (or let go of them); returns how many it took over. One
   * operation failing does not keep the others waiting: the first error is thrown after the rest ran.
   */
  async recoverInterrupted(staleAfterMs = this.options.staleAfterMs): Promise<number> {
    if (this.stopping) return 0;
    const blockedRetryMs = this.options.blockedRetryMs ?? DEFAULT_BLOCKED_RETRY_MS;
    // A blocked operation (its directory could not be reached) is tried again by the sweep only every
    // few minutes; an admin's Try again takes it over at once.
    const stale = (await this.operations.stale(new Date(Date.now() - staleAfterMs).toISOString())).filter((op) => !op.blocked || Date.now() - Date.parse(op.blocked.at) >= blockedRetryMs);
    let recovered = 0;
    let failure: { error: unknown } | undefined;
    for (const op of stale) {
      if (this.stopping) break;
      try {
        const lease = await withLogFields({ operationId: op.id }, () => this.takeOver(op));
        if (!lease) continue;
        await this.run(lease, { takenOver: true });
        recovered++;
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure && !(failure.error instanceof RunnerStoppingError)) throw failure.error;
    return recovered;
  }

  /**
   * SIGTERM: start nothing new, let each running operation finish the chunk it is in and record it,
   * then let go of its lease so the next instance resumes at once. Resolves when nothing runs here.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    while (this.runningHere.size) await sleep(50);
  }

  /** Claims a stale operation for this process; undefined when another process got there first. */
  private async takeOver(op: OperationDoc): Promise<Lease | undefined> {
    if (this.runningHere.has(op.id)) return undefined;
    const sentAt = Date.now();
    const mine = await this.operations.replaceIfUnchanged({ ...op, owner: this.instanceId, attempt: op.attempt + 1, heartbeatAt: now(), blocked: undefined });
    if (mine) log.warn({ customerId: op.customerId, attempt: mine.attempt, heartbeatAt: op.heartbeatAt, completedChunks: op.completedChunks, chunks: op.chunkCount }, 'took over a stale operation');
    return mine && this.leaseOn(mine, sentAt);
  }

  private leaseOn(op: OperationDoc, sentAt: number): Lease {
    const leaseMs = this.options.leaseMs ?? DEFAULT_LEASE_MS;
    return new Lease(this.operations, op, sentAt, { staleAfterMs: leaseMs, renewEveryMs: this.options.renewEveryMs ?? Math.floor(leaseMs / 6) });
  }

  private async run(lease: Lease, how: { onProgress?: OnProgress; prefetched?: Map<string, DirectoryUserRecord>; takenOver: boolean }): Promise<OperationResult> {
    const id = lease.op.id;
    this.runningHere.add(id);
    let lost = false;
    // What the change cost on Cosmos DB here, retries included: logged with "operation completed".
    const cost: RequestCost = { requests: 0, requestCharge: 0 };
    try {
      let prefetched = how.prefetched;
      for (let retry = 0; ; retry++) {
        try {
          // A new try is a new attempt: it settles what the failed one reserved, from the users' marks.
          if (retry > 0) await lease.update((op) => ({ ...op, attempt: op.attempt + 1 }));
          // Every line of the change — chunks, retries, the bot's progress updates — names the operation.
          return await withLogFields({ operationId: lease.op.id }, () => countingRequests(cost, () => this.runChunks(lease, how.onProgress, prefetched, how.takenOver, cost)));
        } catch (err) {
          if (err instanceof LeaseLostError) {
            lost = true;
            break;
          }
          if (err instanceof RunnerStoppingError || (isStoreFault(err) && retry >= (this.options.runRetries ?? 4))) {
            // Let go now rather than make the next one wait out the lease.
            await lease.release().catch(() => undefined);
            throw err;
          }
          if (err instanceof DirectoryUnreachableError) {
            // The customer's directory refuses us (no consent, a wrong secret): nothing of the failed
            // chunk counts as done or failed. Recorded as blocked and let go, so a click (Try again)
            // resumes it at once once fixed, and the sweep only now and then.
            await lease.update((op) => ({ ...op, blocked: { reason: err.reason, at: now() } })).catch(() => undefined);
            await lease.release().catch(() => undefined);
            log.warn({ operationId: lease.op.id, customerId: lease.op.customerId, reason: err.reason }, 'operation blocked: the customer\'s directory cannot be reached');
            throw err;
          }
          if (!isStoreFault(err)) throw err;
          log.warn({ operationId: lease.op.id, retry, err }, 'operation attempt failed; trying again from the failed chunk');
          prefetched = undefined;
          await sleep(retryDelay(undefined, retry + 3));
        }
      }
    } finally {
      lease.stop();
      this.runningHere.delete(id);
    }
    // Someone else runs it now (we were thought dead, or stalled past the lease): they finish it.
    if (lost) return this.awaitExisting((await this.operations.get(lease.op.customerId, id))!, how.onProgress);
    throw new Error('unreachable');
  }

  private async runChunks(lease: Lease, onProgress: OnProgress | undefined, prefetched: Map<string, DirectoryUserRecord> | undefined, takenOver: boolean, cost: RequestCost): Promise<OperationResult> {
    const start = lease.op;
    const catalog = await this.loadCatalog(start.customerId);
    const total = OperationRepository.userCount(start);
    const notify = takenOver && start.notify !== undefined ? this.notifier : undefined;
    // Only a run that is not the operation's first (a retry, a takeover) can find chunks already recorded.
    const resumed = start.attempt > 1;
    const inFlight = Math.max(1, this.options.chunksInFlight ?? 1);
    let lastNotified = 0;
    let failure: { error: unknown } | undefined;
    const check = () => {
      if (failure) throw new ChunkAbandonedError();
    };
    // The chains that keep chunks in request order: seats held, seats settled, chunk recorded.
    let seatsAfter: Promise<unknown> = Promise.resolve();
    const settledSoFar: Promise<unknown>[] = [];
    let recordedAfter: Promise<unknown> = Promise.resolve();
    const running = new Set<Promise<void>>();
    let stopped = false;

    for (let chunk = lease.op.completedChunks; chunk < start.chunkCount; chunk++) {
      while (running.size >= inFlight && !failure) await Promise.race(running);
      if (failure) break;
      if (this.stopping) {
        stopped = true;
        break;
      }
      const op = lease.op;
      let seatsHeld!: () => void;
      let settled!: () => void;
      const held = new Promise<void>((r) => (seatsHeld = r));
      const settledNow = new Promise<void>((r) => (settled = r));
      const turn: ChunkTurn = { seatsAfter, settledAfter: Promise.all(settledSoFar), seatsHeld, settled, check };
      seatsAfter = held;
      settledSoFar.push(settledNow);
      // Written: the chunk's users, its seats settled and its results saved (chunks may overlap here)…
      const written = (async () => {
        const saved = resumed ? await this.operations.chunk(op, chunk) : undefined;
        if (saved) return saved.results;
        check();
        const ids = await this.operations.userIds(op, chunk * op.chunkSize, (chunk + 1) * op.chunkSize);
        const results = await this.chunks.write(op, chunk, ids, catalog, prefetched, lease.fence, turn);
        // Written: the preview's copy of these users is not needed any more.
        if (prefetched) for (const id of ids) prefetched.delete(id);
        lease.fence();
        return this.operations.saveChunk(op, chunk, results);
      })()
        .catch((error) => {
          // At once, so no later chunk starts holding seats once this one failed.
          failure ??= { error };
          throw error;
        })
        .finally(() => {
          seatsHeld();
          settled();
        });
      // …recorded: the heartbeat with the chunk's counts, strictly in order, never past a chunk that failed.
      const previous = recordedAfter;
      const recorded = (async () => {
        const results = await written;
        await previous;
        check();
        const counts = countOutcomes(results);
        const next = await lease.update((o) => ({
          ...o,
          completedChunks: chunk + 1,
          counts: { succeeded: o.counts.succeeded + counts.succeeded, failed: o.counts.failed + counts.failed, noChange: o.counts.noChange + counts.noChange },
        }));
        const progress = { operationId: next.id, processed: Math.min(total, (chunk + 1) * next.chunkSize), total, counts: next.counts };
        log.debug({ operationId: next.id, chunk, counts }, 'chunk written');
        onProgress?.(progress);
        if (notify && Date.now() - lastNotified >= NOTIFY_PROGRESS_EVERY_MS && chunk + 1 < start.chunkCount) {
          lastNotified = Date.now();
          void notify.progress(next.notify, progress).catch(() => undefined);
        }
      })();
      recordedAfter = recorded;
      const task: Promise<void> = recorded.catch((error) => {
        failure ??= { error };
      }).finally(() => running.delete(task));
      running.add(task);
    }
    // Every chunk in flight ends (written and recorded, or failed) before the run answers: a retry
    // or the next instance must never race writes still running from this one.
    await Promise.all(running);
    if (failure) throw failure.error;
    if (stopped) throw new RunnerStoppingError(start.id);
    const done = await lease.update((o) => ({ ...o, status: 'completed', completedAt: now() }));
    log.info({ operationId: done.id, customerId: done.customerId, attempt: done.attempt, counts: done.counts, ms: Date.now() - Date.parse(done.createdAt), ...costFields(cost) }, 'operation completed');
    const result = await this.resultOf(done, takenOver);
    if (notify) await notify.finished(done.notify, result).catch(() => undefined);
    return result;
  }
}
