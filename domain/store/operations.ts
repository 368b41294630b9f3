// License change operations in the `operations` container (partition key: customerId). One header
// document per operation (its id derives from the idempotency key, so creating it is the idempotency
// gate) and one document per chunk of per-user results, so 10,000 results never hit the 2 MB item limit.
import type { Container } from '@azure/cosmos';
import { createHash } from 'node:crypto';
import type { ParsedChangeRequest } from '../model';
import type { UserChangePlan } from '../rules';
import { isConflict, isPreconditionFailed, queryAll, readItem, statusOf, stripDoc, withRetry } from './cosmos';

/** 408/503: the write may or may not have happened. */
const isUncertain = (err: unknown) => statusOf(err) === 408 || statusOf(err) === 503;

export interface OutcomeCounts {
  succeeded: number;
  failed: number;
  noChange: number;
}

export interface SeatDemand {
  skuId: string;
  displayName: string;
  available: number;
  needed: number;
}

export interface OperationDoc {
  id: string;
  type: 'operation';
  customerId: string;
  idempotencyKey: string;
  request: ParsedChangeRequest;
  status: 'running' | 'completed';
  createdAt: string;
  heartbeatAt: string;
  completedAt?: string;
  /** Which process runs it; a restart that takes over a stale operation bumps `attempt`. */
  owner: string;
  attempt: number;
  chunkSize: number;
  chunkCount: number;
  completedChunks: number;
  seatDemand: SeatDemand[];
  counts: OutcomeCounts;
  _etag?: string;
}

/** An operation as `recent()` lists it: the header with the request's parts flattened, without its user ids. */
export type OperationHeadline = Pick<OperationDoc, 'id' | 'customerId' | 'idempotencyKey' | 'status' | 'createdAt' | 'completedAt' | 'counts' | 'seatDemand'> &
  Pick<ParsedChangeRequest, 'requestedBy' | 'mode' | 'licensesToAssign' | 'licensesToRemove'> & { userCount: number; undoOf?: { operationId: string; createdAt: string } };

/** Where a page of the history starts: older than `before`, or as old but not among `shown` (same instant). */
export interface HistoryAnchor {
  before: string;
  shown: string[];
}

export interface OperationChunkDoc {
  id: string;
  type: 'operationChunk';
  customerId: string;
  operationId: string;
  chunk: number;
  results: UserChangePlan[];
}

export function operationIdFor(customerId: string, idempotencyKey: string): string {
  return `op-${createHash('sha256').update(`${customerId}\n${idempotencyKey}`).digest('hex').slice(0, 40)}`;
}

const chunkDocId = (operationId: string, chunk: number) => `${operationId}:chunk:${chunk}`;

export class OperationRepository {
  constructor(private readonly container: Container) {}

  get(customerId: string, operationId: string): Promise<OperationDoc | undefined> {
    return readItem<OperationDoc>(this.container, operationId, customerId);
  }

  /** Creates the operation; false when one with the same id (idempotency key) exists. */
  async create(doc: OperationDoc, tries = 3): Promise<boolean> {
    try {
      // Not repeated blindly on a timeout: a create that went through would come back as 409.
      await withRetry(() => this.container.items.create(doc), 6, false);
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      if (!isUncertain(err) || tries <= 1) throw err;
      // The reply was lost: look. Ours if it is there with our owner and time; else try again.
      const stored = await this.get(doc.customerId, doc.id);
      if (stored) return stored.owner === doc.owner && stored.createdAt === doc.createdAt;
      return this.create(doc, tries - 1);
    }
  }

  /** Writes the operation only if it is unchanged since read; returns the new doc, or undefined on a lost race. */
  async replaceIfUnchanged(doc: OperationDoc, tries = 3): Promise<OperationDoc | undefined> {
    try {
      return await this.replaceOnce(doc);
    } catch (err) {
      if (!isUncertain(err) || tries <= 1) throw err;
      // The reply was lost: if the stored document is what we wrote, the write went through.
      const stored = await this.get(doc.customerId, doc.id);
      const ours = stored && stored.owner === doc.owner && stored.attempt === doc.attempt && stored.heartbeatAt === doc.heartbeatAt && stored.completedChunks === doc.completedChunks && stored.status === doc.status;
      if (ours) return stored;
      return stored && stored._etag === doc._etag ? this.replaceIfUnchanged(doc, tries - 1) : undefined;
    }
  }

  private async replaceOnce(doc: OperationDoc): Promise<OperationDoc | undefined> {
    try {
      const { resource } = await withRetry(() =>
        this.container.item(doc.id, doc.customerId).replace(stripDoc(doc), { accessCondition: { type: 'IfMatch', condition: doc._etag! } }),
        6,
        false,
      );
      return resource as OperationDoc;
    } catch (err) {
      if (isPreconditionFailed(err)) return undefined;
      throw err;
    }
  }

  async saveChunk(op: OperationDoc, chunk: number, results: UserChangePlan[]): Promise<void> {
    const doc: OperationChunkDoc = { id: chunkDocId(op.id, chunk), type: 'operationChunk', customerId: op.customerId, operationId: op.id, chunk, results };
    await withRetry(() => this.container.items.upsert(doc));
  }

  async chunk(op: OperationDoc, chunk: number): Promise<OperationChunkDoc | undefined> {
    return readItem<OperationChunkDoc>(this.container, chunkDocId(op.id, chunk), op.customerId);
  }

  async results(op: OperationDoc): Promise<UserChangePlan[]> {
    const chunks = await queryAll<OperationChunkDoc>(
      this.container,
      'SELECT * FROM c WHERE c.customerId = @c AND c.type = "operationChunk" AND c.operationId = @op',
      [{ name: '@c', value: op.customerId }, { name: '@op', value: op.id }],
    );
    return chunks.sort((a, b) => a.chunk - b.chunk).flatMap((c) => c.results);
  }

  /**
   * Newest first; the request's user list is left out (it can be long), only its length. Paged by keyset
   * on createdAt (no OFFSET in the emulator): operations of the anchor's instant already shown are skipped.
   */
  async recent(customerId: string, limit: number, anchor?: HistoryAnchor): Promise<OperationHeadline[]> {
    const top = Math.max(1, Math.min(100, Math.floor(limit))) + (anchor?.shown.length ?? 0);
    const rows = await queryAll<OperationHeadline>(
      this.container,
      `SELECT TOP ${top} c.id, c.customerId, c.idempotencyKey, c.status, c.createdAt, c.completedAt, c.counts, c.seatDemand, c.request.requestedBy AS requestedBy, c.request.mode AS mode, c.request.licensesToAssign AS licensesToAssign, c.request.licensesToRemove AS licensesToRemove, ARRAY_LENGTH(c.request.userIds) AS userCount, c.request.undo.operationId AS undoOfId, c.request.undo.createdAt AS undoOfAt FROM c WHERE c.customerId = @c AND c.type = "operation"${anchor ? ' AND c.createdAt <= @before' : ''} ORDER BY c.createdAt DESC`,
      [{ name: '@c', value: customerId }, ...(anchor ? [{ name: '@before', value: anchor.before }] : [])],
    );
    const skip = new Set(anchor?.shown ?? []);
    return rows
      .filter((r) => !(skip.has(r.id) && r.createdAt === anchor?.before))
      .slice(0, top - (anchor?.shown.length ?? 0))
      .map(({ undoOfId, undoOfAt, ...r }: OperationHeadline & { undoOfId?: string; undoOfAt?: string }) => (undoOfId ? { ...r, undoOf: { operationId: undoOfId, createdAt: undoOfAt ?? '' } } : r));
  }

  /** Running operations of every customer whose owner stopped beating (cross-partition, at start-up only). */
  async stale(olderThan: string): Promise<OperationDoc[]> {
    return queryAll<OperationDoc>(this.container, 'SELECT * FROM c WHERE c.type = "operation" AND c.status = "running" AND c.heartbeatAt < @t', [
      { name: '@t', value: olderThan },
    ]);
  }
}
