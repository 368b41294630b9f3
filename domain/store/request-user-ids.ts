// The user ids of a change too large to keep inside its operation's document (over 20,000 users: 100,000
// GUIDs are about 4 MB, a Cosmos item at most 2 MB). They are written first, in documents of `idsPerDoc`
// named by the operation and the hash of the whole list, then the operation's header names them; the
// runner reads the part each chunk needs. Same name, same content: a write repeated after a lost reply,
// or by a second caller racing with the same idempotency key and the same users, writes the same bytes;
// a rival with other users writes other documents, and only the header that wins the create counts.
import type { Container } from '@azure/cosmos';
import { createHash } from 'node:crypto';
import { readItem, withRetry } from './cosmos';

const idsDocId = (operationId: string, key: string, i: number) => `${operationId}:ids:${key.slice(0, 24)}:${i}`;

export interface OperationStoreOptions {
  /** Up to this many user ids stay inside the operation's own document (as before: one read). */
  inlineUserIds: number;
  /** Ids per document beyond that: 10,000 GUIDs are about 400 KB. */
  idsPerDoc: number;
}

/** Where a large request's ids are: `docs` documents of `idsPerDoc`, named with `key` (the list's hash). */
export interface UserIdDocsRef {
  key: string;
  docs: number;
  idsPerDoc: number;
}

/** What of an operation's document this needs (operations.ts's OperationDoc has it). */
interface WithUserIds {
  id: string;
  customerId: string;
  request: { userIds: string[]; mode: string };
  userCount?: number;
  userIdDocs?: UserIdDocsRef;
}

export const DEFAULT_OPERATION_STORE_OPTIONS: OperationStoreOptions = { inlineUserIds: 20_000, idsPerDoc: 10_000 };

interface UserIdsDoc {
  id: string;
  type: 'operationUserIds';
  customerId: string;
  operationId: string;
  key: string;
  part: number;
  userIds: string[];
}

export class RequestUserIds {
  /** Id documents read, by name: their content never changes under a name (it is named by its hash). */
  private readonly idDocs = new Map<string, string[]>();

  constructor(
    private readonly container: Container,
    private readonly options: OperationStoreOptions,
  ) {}

  /**
   * The operation's document as stored: a request with more than `inlineUserIds` users gets its ids
   * written apart first (an undo's per-user targets need its ids inline, and are bounded in size).
   */
  async prepare<T extends WithUserIds>(doc: T): Promise<T> {
    const ids = doc.request.userIds;
    const counted = { ...doc, userCount: ids.length };
    if (ids.length <= this.options.inlineUserIds || doc.request.mode === 'undo') return counted;
    const key = createHash('sha256').update(ids.join(',')).digest('hex');
    const size = this.options.idsPerDoc;
    const docs = Math.ceil(ids.length / size);
    for (let part = 0; part < docs; part++) {
      const idsDoc: UserIdsDoc = { id: idsDocId(doc.id, key, part), type: 'operationUserIds', customerId: doc.customerId, operationId: doc.id, key, part, userIds: ids.slice(part * size, (part + 1) * size) };
      // Named by the list's hash: a repeat (lost reply) or a rival create of the same list is the same content.
      await withRetry(() => this.container.items.upsert(idsDoc));
    }
    return { ...counted, request: { ...doc.request, userIds: [] }, userIdDocs: { key, docs, idsPerDoc: size } };
  }

  /** The request's user ids from `from` to `to` (exclusive), read from their documents when kept apart. */
  async slice(op: WithUserIds, from: number, to: number): Promise<string[]> {
    const stored = op.userIdDocs;
    if (!stored) return op.request.userIds.slice(from, to);
    const out: string[] = [];
    for (let part = Math.floor(from / stored.idsPerDoc); part < stored.docs && part * stored.idsPerDoc < to; part++) {
      const ids = await this.idsPart(op, stored.key, part);
      const start = part * stored.idsPerDoc;
      out.push(...ids.slice(Math.max(0, from - start), Math.max(0, to - start)));
    }
    return out;
  }

  private async idsPart(op: WithUserIds, key: string, part: number): Promise<string[]> {
    const id = idsDocId(op.id, key, part);
    const cached = this.idDocs.get(id);
    if (cached) return cached;
    const doc = await readItem<UserIdsDoc>(this.container, id, op.customerId);
    if (!doc || doc.key !== key) throw new Error(`user ids ${part} of ${op.id} are missing`);
    // A few parts only (a run reads them in order): enough to not read one again per chunk.
    if (this.idDocs.size >= 4) this.idDocs.delete(this.idDocs.keys().next().value!);
    this.idDocs.set(id, doc.userIds);
    return doc.userIds;
  }
}
