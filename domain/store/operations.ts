// License change operations in the `operations` container (partition key: customerId). One header
// document per operation (its id derives from the idempotency key, so creating it is the idempotency
// gate) and one document per chunk of per-user results, so 10,000 results never hit the 2 MB item limit;
// a request of more than 20,000 users keeps its ids apart (request-user-ids.ts).
import type { Container } from '@azure/cosmos';
import { createHash, randomUUID } from 'node:crypto';
import type { ParsedChangeRequest } from '../model';
import type { UserChangePlan } from '../rules';
import { DEFAULT_OPERATION_STORE_OPTIONS, RequestUserIds, type OperationStoreOptions, type UserIdDocsRef } from './request-user-ids';
import { isConflict, isPreconditionFailed, isUnknownOutcome as isUncertain, queryAll, readItem, retryDelay, stripDoc, withRetry } from './cosmos';

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
  /** How many users the request names (also when their ids are kept apart, below). */
  userCount?: number;
  /**
   * A request naming more than `inlineUserIds` users keeps its ids apart, in documents of `idsPerDoc`
   * (100,000 ids are about 4 MB; an item is at most 2 MB): `request.userIds` is then empty. `key` is the
   * hash of the id list, so the documents' names differ for every list and writing one again after a
   * lost reply writes the same content (see OperationRepository.create).
   */
  userIdDocs?: UserIdDocsRef;
  /**
   * Where the admin who started it is waiting (opaque to the domain: the bot's conversation reference
   * and progress message id), so whichever instance finishes the operation can tell them the end.
   */
  notify?: unknown;
  /**
   * Set when a run stopped because the customer's directory could not be reached (no consent, a wrong
   * secret): its users are neither done nor failed; a takeover clears it and continues.
   */
  blocked?: { reason: string; at: string };
  _etag?: string;
}

/** A heartbeat this old is stale to everyone: what a runner writes when it lets go of its lease. */
export const RELEASED_HEARTBEAT = new Date(0).toISOString();

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

/** How often a write whose outcome is unknown is read back and tried again. */
const UNKNOWN_OUTCOME_TRIES = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const chunkDocId = (operationId: string, chunk: number) => `${operationId}:chunk:${chunk}`;

export { DEFAULT_OPERATION_STORE_OPTIONS, type OperationStoreOptions } from './request-user-ids';

export class OperationRepository {
  /** The user ids of requests too large to keep inside their operation's document. */
  private readonly userIdDocs: RequestUserIds;

  constructor(
    private readonly container: Container,
    readonly options: OperationStoreOptions = DEFAULT_OPERATION_STORE_OPTIONS,
  ) {
    this.userIdDocs = new RequestUserIds(container, options);
  }

  /** The operation's document as stored: a large request's ids written apart first (see RequestUserIds). */
  prepare(doc: OperationDoc): Promise<OperationDoc> {
    return this.userIdDocs.prepare(doc);
  }

  /** How many users an operation's request names. */
  static userCount(op: OperationDoc): number {
    return op.userCount ?? op.request.userIds.length;
  }

  /** The request's user ids from `from` to `to` (exclusive), read from their documents when kept apart. */
  userIds(op: OperationDoc, from = 0, to = OperationRepository.userCount(op)): Promise<string[]> {
    return this.userIdDocs.slice(op, from, to);
  }

  get(customerId: string, operationId: string): Promise<OperationDoc | undefined> {
    return readItem<OperationDoc>(this.container, operationId, customerId);
  }

  /** Creates the operation; false when one with the same id (idempotency key) exists. */
  async create(doc: OperationDoc): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        // Not repeated blindly on an unknown outcome: a create that went through would come back as 409.
        await withRetry(() => this.container.items.create(doc), undefined, false);
        return true;
      } catch (err) {
        if (isConflict(err)) return attempt > 1 ? this.isOurs(doc) : false;
        if (!isUncertain(err) || attempt >= UNKNOWN_OUTCOME_TRIES) throw err;
        // The reply was lost: look. Ours if it is there with our owner and time; else try again.
        const stored = await this.get(doc.customerId, doc.id);
        if (stored) return stored.owner === doc.owner && stored.createdAt === doc.createdAt;
        await sleep(retryDelay(err, attempt));
      }
    }
  }

  private async isOurs(doc: OperationDoc): Promise<boolean> {
    const stored = await this.get(doc.customerId, doc.id);
    return !!stored && stored.owner === doc.owner && stored.createdAt === doc.createdAt;
  }

  /** Writes the operation only if it is unchanged since read; returns the new doc, or undefined on a lost race. */
  async replaceIfUnchanged(doc: OperationDoc): Promise<OperationDoc | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.replaceOnce(doc);
      } catch (err) {
        if (!isUncertain(err) || attempt >= UNKNOWN_OUTCOME_TRIES) throw err;
        // The reply was lost: if the stored document is what we wrote, the write went through.
        const stored = await this.get(doc.customerId, doc.id);
        const ours = stored && stored.owner === doc.owner && stored.attempt === doc.attempt && stored.heartbeatAt === doc.heartbeatAt && stored.completedChunks === doc.completedChunks && stored.status === doc.status;
        if (ours) return stored;
        if (!stored || stored._etag !== doc._etag) return undefined;
        await sleep(retryDelay(err, attempt));
      }
    }
  }

  private async replaceOnce(doc: OperationDoc): Promise<OperationDoc | undefined> {
    try {
      const { resource } = await withRetry(
        () => this.container.item(doc.id, doc.customerId).replace(stripDoc(doc), { accessCondition: { type: 'IfMatch', condition: doc._etag! } }),
        undefined,
        false,
      );
      return resource as OperationDoc;
    } catch (err) {
      if (isPreconditionFailed(err)) return undefined;
      throw err;
    }
  }

  /**
   * Records a chunk's results once: the first write wins (a fenced-out runner's late write can never
   * replace the results of the one that took over). Returns the stored results.
   */
  async saveChunk(op: OperationDoc, chunk: number, results: UserChangePlan[]): Promise<UserChangePlan[]> {
    const doc: OperationChunkDoc = { id: chunkDocId(op.id, chunk), type: 'operationChunk', customerId: op.customerId, operationId: op.id, chunk, results };
    try {
      await withRetry(() => this.container.items.create(doc));
      return results;
    } catch (err) {
      if (!isConflict(err)) throw err;
      return (await this.chunk(op, chunk))?.results ?? results;
    }
  }

  /**
   * Claims the one answer a click gets in the chat (its progress message, or a posted preview): the
   * first caller with this key wins, every other delivery of the same click (Teams retries, even at the
   * same moment) gets false. A conditional create keyed by the click's idempotency key.
   */
  async claimAnswer(customerId: string, claimKey: string): Promise<boolean> {
    const id = `answer-${createHash('sha256').update(`${customerId}\n${claimKey}`).digest('hex').slice(0, 40)}`;
    const token = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        await withRetry(() => this.container.items.create({ id, type: 'answerClaim', customerId, token, at: new Date().toISOString() }), undefined, false);
        return true;
      } catch (err) {
        if (!isConflict(err) && !(isUncertain(err) && attempt < UNKNOWN_OUTCOME_TRIES)) throw err;
        // A conflict after a lost reply may be our own create: the token tells.
        const stored = await readItem<{ id: string; token: string }>(this.container, id, customerId);
        if (stored) return stored.token === token;
        await sleep(retryDelay(err, attempt));
      }
    }
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
      `SELECT TOP ${top} c.id, c.customerId, c.idempotencyKey, c.status, c.createdAt, c.completedAt, c.counts, c.seatDemand, c.request.requestedBy AS requestedBy, c.request.mode AS mode, c.request.licensesToAssign AS licensesToAssign, c.request.licensesToRemove AS licensesToRemove, ARRAY_LENGTH(c.request.userIds) AS inlineCount, c.userCount, c.request.undo.operationId AS undoOfId, c.request.undo.createdAt AS undoOfAt FROM c WHERE c.customerId = @c AND c.type = "operation"${anchor ? ' AND c.createdAt <= @before' : ''} ORDER BY c.createdAt DESC`,
      [{ name: '@c', value: customerId }, ...(anchor ? [{ name: '@before', value: anchor.before }] : [])],
    );
    const skip = new Set(anchor?.shown ?? []);
    return rows
      .filter((r) => !(skip.has(r.id) && r.createdAt === anchor?.before))
      .slice(0, top - (anchor?.shown.length ?? 0))
      .map(({ undoOfId, undoOfAt, inlineCount, ...row }: OperationHeadline & { undoOfId?: string; undoOfAt?: string; inlineCount?: number }) => {
        // Kept apart, the ids are not in the document: its count is (older documents have only the ids).
        const r = { ...row, userCount: row.userCount ?? inlineCount ?? 0 };
        return undoOfId ? { ...r, undoOf: { operationId: undoOfId, createdAt: undoOfAt ?? '' } } : r;
      });
  }

  /** Running operations of every customer whose owner stopped beating (cross-partition, at start-up only). */
  async stale(olderThan: string): Promise<OperationDoc[]> {
    return queryAll<OperationDoc>(this.container, 'SELECT * FROM c WHERE c.type = "operation" AND c.status = "running" AND c.heartbeatAt < @t', [
      { name: '@t', value: olderThan },
    ]);
  }
}
