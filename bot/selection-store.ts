// The admin's selection, compact enough for 100,000 users while the session document stays small
// (Cosmos DB items are at most 2 MB; 100,000 ids are about 4 MB).
//
// A selection is an immutable *base* plus small inline deltas (`added`, `removed`) in the session:
// - the base is a sorted id list in chunk documents of at most `idsPerChunk` ids, named by the hash of
//   the whole list (its content): writing it again after a lost reply writes the same bytes, and a
//   process may cache a base by its key forever (it can never change under that key);
// - a page's ticks, Remove and small lists only touch the deltas (no chunk is written);
// - once the deltas pass `deltaLimit` ids (or a select-all adds thousands), they are folded into a new
//   base, and the previous base's chunks are deleted once the session no longer names it.
// Why not "a filter plus exceptions": ticks across several filters, pasted lists and select-all of
// two filters in a row are all one selection here, and what the admin saw selected is exactly what a
// Save changes (a filter re-evaluated at Save would pick up users imported or changed since).
// Operations never point at a base: a Save copies the ids into its own request (OperationRepository),
// so deleting an old base can never pull ids out from under a change.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { KeyedDocuments } from '../domain/store/keyed-documents';

export const selectionRefSchema = z.object({
  base: z.object({ key: z.string(), count: z.number().int().min(0), chunks: z.number().int().min(1) }).optional(),
  /** Selected, not in the base. */
  added: z.array(z.string()).default([]),
  /** In the base, no longer selected. */
  removed: z.array(z.string()).default([]),
});
export type SelectionRef = z.infer<typeof selectionRefSchema>;
export const emptySelectionRef = (): SelectionRef => ({ added: [], removed: [] });

export interface SelectionStoreOptions {
  /** Ids per chunk document: 5,000 GUIDs are about 200 KB, a tenth of the item limit. */
  idsPerChunk: number;
  /** Delta ids kept inline before they are folded into a new base: about 80 KB of the session. */
  deltaLimit: number;
  /** Ids kept in this process's cache of bases (by key, across sessions). */
  cacheIds: number;
}

export const DEFAULT_SELECTION_OPTIONS: SelectionStoreOptions = { idsPerChunk: 5_000, deltaLimit: 2_000, cacheIds: 400_000 };

/** Ids in a stable order, hashed: the same set of ids always has the same hash, however it is stored. */
export function hashOfIds(ids: Iterable<string>): string {
  return createHash('sha256').update([...ids].sort().join(',')).digest('hex');
}

/** More users than one change may name: the cards say so in the admin's language. */
export class SelectionTooLargeError extends Error {
  constructor(readonly count: number) {
    super('selectionTooLarge');
  }
}

/** A base's chunk document is gone (another click replaced the base meanwhile): read the session again. */
export class SelectionBaseGone extends Error {
  constructor(readonly key: string) {
    super(`selection base ${key} is gone`);
  }
}

/** The selection as the bot reads it: small, whatever its size. */
export class Selection {
  private readonly added: ReadonlySet<string>;
  private readonly removed: ReadonlySet<string>;
  private cachedHash?: string;

  constructor(
    readonly ref: SelectionRef,
    private readonly base: ReadonlySet<string>,
  ) {
    this.added = new Set(ref.added);
    this.removed = new Set(ref.removed);
  }

  get count(): number {
    return (this.ref.base?.count ?? 0) - this.removed.size + this.added.size;
  }

  /** As a Set reads it (the users card). */
  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.added.has(id) || (this.base.has(id) && !this.removed.has(id));
  }

  /** Whether the base (not the deltas) holds `id`. */
  inBase(id: string): boolean {
    return this.base.has(id);
  }

  /** Every selected id: the base's (sorted) first, then those added since. */
  ids(): string[] {
    const out: string[] = [];
    for (const id of this.base) if (!this.removed.has(id)) out.push(id);
    for (const id of this.added) out.push(id);
    return out;
  }

  /** The hash of the selected ids (the base's key when nothing changed since it was written). */
  get hash(): string {
    if (!this.removed.size && !this.added.size && this.ref.base) return this.ref.base.key;
    return (this.cachedHash ??= hashOfIds(this.ids()));
  }

  /** The same base with other deltas (or no base at all), without reading anything. */
  withRef(ref: SelectionRef): Selection {
    return new Selection(ref, ref.base && ref.base.key === this.ref.base?.key ? this.base : new Set());
  }
}

/** What a click does to the selection; each returns the next inline state, folded later if too big. */
export type SelectionEdit =
  | { kind: 'replace'; ids: string[] }
  | { kind: 'add'; ids: string[] }
  | { kind: 'remove'; ids: string[] }
  /** A page's ticks: its users not ticked are dropped, those ticked are added. */
  | { kind: 'page'; pageIds: string[]; ticked: string[] };

const chunkId = (sessionId: string, key: string, i: number) => `sel-${sessionId}-${key.slice(0, 40)}-${i}`;

export class SelectionStore {
  /** Bases by key: immutable content, so safe to keep across sessions and instances' writes. */
  private readonly cache = new Map<string, ReadonlySet<string>>();
  private cachedIds = 0;

  constructor(
    private readonly documents: KeyedDocuments,
    readonly options: SelectionStoreOptions = DEFAULT_SELECTION_OPTIONS,
  ) {}

  /** The selection a session names; SelectionBaseGone when its base was replaced (and deleted) meanwhile. */
  async open(sessionId: string, ref: SelectionRef): Promise<Selection> {
    return new Selection(ref, ref.base ? await this.loadBase(sessionId, ref.base) : new Set());
  }

  /**
   * The next inline state after `edit`; when the deltas would pass the bound, their result is written
   * as a new base first (chunks, then the caller stores the small reference in the session).
   */
  async apply(sessionId: string, current: Selection, edit: SelectionEdit, max = Infinity): Promise<{ ref: SelectionRef; count: number; written?: SelectionRef['base'] }> {
    const ref = this.edited(current, edit);
    // The same base, or none (replace): the count needs no read.
    const next = current.withRef(ref);
    if (next.count > max) throw new SelectionTooLargeError(next.count);
    if (ref.added.length + ref.removed.length <= this.options.deltaLimit) return { ref, count: next.count };
    const base = await this.writeBase(sessionId, next.ids());
    return { ref: { base, added: [], removed: [] }, count: next.count, written: base };
  }

  /** `edit` on `current` when it stays inline (no new base, not past `max`); else undefined. Reads nothing. */
  editInline(current: Selection, edit: SelectionEdit, max = Infinity): SelectionRef | undefined {
    const ref = this.edited(current, edit);
    const fits = ref.added.length + ref.removed.length <= this.options.deltaLimit && current.withRef(ref).count <= max;
    return fits ? ref : undefined;
  }

  /** Deletes a base's chunks (a base no session names any more). */
  async discard(sessionId: string, base: NonNullable<SelectionRef['base']>): Promise<void> {
    for (let i = 0; i < base.chunks; i++) await this.documents.remove(chunkId(sessionId, base.key, i));
  }

  private edited(current: Selection, edit: SelectionEdit): SelectionRef {
    const base = current.ref.base;
    if (edit.kind === 'replace') return { base: undefined, added: [...new Set(edit.ids)], removed: [] };
    const inBase = (id: string) => current.inBase(id);
    const added = new Set(current.ref.added);
    const removed = new Set(current.ref.removed);
    const select = (id: string) => (removed.has(id) ? removed.delete(id) : !inBase(id) && added.add(id));
    const drop = (id: string) => (added.has(id) ? added.delete(id) : inBase(id) && removed.add(id));
    if (edit.kind === 'add') edit.ids.forEach(select);
    if (edit.kind === 'remove') edit.ids.forEach(drop);
    if (edit.kind === 'page') {
      const ticked = new Set(edit.ticked);
      for (const id of edit.pageIds) (ticked.has(id) ? select : drop)(id);
    }
    return { base, added: [...added], removed: [...removed] };
  }

  private async writeBase(sessionId: string, ids: string[]): Promise<SelectionRef['base']> {
    if (!ids.length) return undefined;
    const sorted = [...new Set(ids)].sort();
    const key = hashOfIds(sorted);
    const size = this.options.idsPerChunk;
    const chunks = Math.ceil(sorted.length / size);
    // Same key, same content: an upsert repeated after a lost reply (or by a second click) changes nothing.
    for (let i = 0; i < chunks; i++) await this.documents.put({ id: chunkId(sessionId, key, i), key, ids: sorted.slice(i * size, (i + 1) * size) } as { id: string });
    this.remember(key, new Set(sorted));
    return { key, count: sorted.length, chunks };
  }

  private async loadBase(sessionId: string, base: NonNullable<SelectionRef['base']>): Promise<ReadonlySet<string>> {
    const cached = this.cache.get(base.key);
    if (cached) {
      // Most recently used last.
      this.cache.delete(base.key);
      this.cache.set(base.key, cached);
      return cached;
    }
    const ids = new Set<string>();
    for (let i = 0; i < base.chunks; i++) {
      const doc = (await this.documents.read(chunkId(sessionId, base.key, i))) as { key?: string; ids?: unknown } | undefined;
      if (!doc || doc.key !== base.key || !Array.isArray(doc.ids)) throw new SelectionBaseGone(base.key);
      for (const id of doc.ids) if (typeof id === 'string') ids.add(id);
    }
    if (ids.size !== base.count) throw new SelectionBaseGone(base.key);
    this.remember(base.key, ids);
    return ids;
  }

  private remember(key: string, ids: ReadonlySet<string>): void {
    if (this.cache.has(key)) return;
    this.cache.set(key, ids);
    this.cachedIds += ids.size;
    for (const [k, v] of this.cache) {
      if (this.cachedIds <= this.options.cacheIds || k === key) break;
      this.cache.delete(k);
      this.cachedIds -= v.size;
    }
  }
}
