// The customer's page index (page-index.ts) kept as documents in its partition of the directory
// container, so that no click reads every user: the emulator spends ~0.75 ms per document a query
// returns and runs a query again for every continuation (100,000 users: minutes per users card).
//
//   - `userindex` (the manifest): the current generation, its number of base shards, and the journal
//     position the base includes (`from`). `lineage` changes when a base is not derived from the
//     journal (an import, a Graph fill, a rebuild from the users): a reader of another lineage reloads.
//   - `userindex:<generation>:<n>`: the base's records, ≤ ~1 MB each (Cosmos DB's item limit: 2 MB).
//   - `userindex:journal:<page>`: records written since, JOURNAL_PAGE_ROWS a page, appended with IfMatch.
//     One journal for every generation (a compaction never races an append); a page is full when it
//     holds JOURNAL_PAGE_ROWS rows, and the next page is created only after it.
//
// A reader keeps the index in memory per process and, on each use, point-reads the manifest and its
// current journal page (2 reads), applying new rows; base shards are read only when cold or on another
// lineage. Each record carries its user's revision (UserDoc.rev), newer wins, so rows appended late or
// twice do no harm. After COMPACT_AFTER_PAGES pages since the base, the appender writes a new
// generation from memory (no query) and switches the manifest with IfMatch; journal pages older than
// the previous base are deleted then (a writer holding an old page number for a whole generation would
// otherwise create a page nobody reads).
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { deleteItem, isConflict, isPreconditionFailed, mapLimit, readItem, withRetry } from './cosmos';
import { decodeRows, encodeRows, splitRows, type IndexRow } from './index-rows';
import { PageIndex, type IndexRecord } from './page-index';

export const MANIFEST_ID = 'userindex';
export const JOURNAL_PAGE_ROWS = 1000;
export const COMPACT_AFTER_PAGES = 20;
const SHARD_BYTES = 1_000_000;
const shardId = (generation: string, n: number) => `userindex:${generation}:${n}`;
export const journalPageId = (page: number) => `userindex:journal:${page}`;

export interface JournalPosition {
  page: number;
  /** Rows of `page` already included. */
  offset: number;
}

export interface ManifestDoc {
  id: typeof MANIFEST_ID;
  type: 'userIndex';
  customerId: string;
  generation: string;
  lineage: string;
  shards: number;
  from: JournalPosition;
  /** Journal pages from here on are kept (the previous base's page): older ones are deleted. */
  keepFrom: number;
  writtenAt: string;
  _etag?: string;
}

interface RowsDoc {
  id: string;
  type: 'userIndexShard' | 'userIndexJournal';
  customerId: string;
  skus: string[];
  rows: IndexRow[];
  _etag?: string;
}

interface Loaded {
  index: PageIndex;
  generation: string;
  lineage: string;
  position: JournalPosition;
}

const behind = (a: JournalPosition, b: JournalPosition) => a.page < b.page || (a.page === b.page && a.offset < b.offset);

/** No manifest, or one whose shards are gone: the caller builds the index from the users themselves. */
export class IndexMissingError extends Error {}

export class UserIndexStore {
  private readonly loaded = new Map<string, Loaded>();
  /** One refresh at a time per customer: each use sees what was appended before it began. */
  private readonly turns = new Map<string, Promise<unknown>>();
  /** The page this process last appended to, per customer. */
  private readonly appendAt = new Map<string, number>();
  private readonly compacting = new Set<string>();

  constructor(private readonly container: Container) {}

  sizeHint(customerId: string): number | undefined {
    return this.loaded.get(customerId)?.index.entries.length;
  }

  /** The index as stored now; IndexMissingError when it has to be built from the users. */
  current(customerId: string): Promise<PageIndex> {
    const turn = (this.turns.get(customerId) ?? Promise.resolve()).catch(() => undefined).then(() => this.refresh(customerId));
    this.turns.set(customerId, turn);
    return turn.then((l) => l.index);
  }

  private async refresh(customerId: string, retried = false): Promise<Loaded> {
    const manifest = await this.manifest(customerId);
    if (!manifest) throw new IndexMissingError(`no page index for ${customerId}`);
    let state = this.loaded.get(customerId);
    if (!state || state.lineage !== manifest.lineage || behind(state.position, manifest.from)) {
      const records = await this.readBase(customerId, manifest);
      if (!records) {
        // A shard deleted under us (a newer generation replaced it): once more from the manifest.
        if (!retried) return this.refresh(customerId, true);
        throw new IndexMissingError(`page index of ${customerId}: generation ${manifest.generation} is missing shards`);
      }
      state = { index: new PageIndex(records), generation: manifest.generation, lineage: manifest.lineage, position: manifest.from };
    }
    await this.catchUp(customerId, state);
    this.loaded.set(customerId, state);
    return state;
  }

  private manifest(customerId: string): Promise<(ManifestDoc & { _etag: string }) | undefined> {
    return readItem<ManifestDoc>(this.container, MANIFEST_ID, customerId);
  }

  private async readBase(customerId: string, manifest: ManifestDoc): Promise<IndexRecord[] | undefined> {
    const shards = await mapLimit(Array.from({ length: manifest.shards }, (_, n) => n), 4, (n) => readItem<RowsDoc>(this.container, shardId(manifest.generation, n), customerId));
    if (shards.some((s) => !s)) return undefined;
    return shards.flatMap((s) => decodeRows(s!));
  }

  /** Applies the journal rows after `state.position`, page after page, to the end. */
  private async catchUp(customerId: string, state: Loaded): Promise<void> {
    let { page, offset } = state.position;
    for (;;) {
      const doc = await readItem<RowsDoc>(this.container, journalPageId(page), customerId);
      if (!doc) break;
      if (doc.rows.length > offset) state.index.apply(decodeRows({ skus: doc.skus, rows: doc.rows.slice(offset) }));
      offset = doc.rows.length;
      if (offset < JOURNAL_PAGE_ROWS) break;
      page++;
      offset = 0;
    }
    state.position = { page, offset };
  }

  /** Where the journal ends now (a new base includes what is before it). */
  async journalEnd(customerId: string): Promise<JournalPosition> {
    let page = this.appendAt.get(customerId) ?? (await this.manifest(customerId))?.from.page ?? 0;
    for (;;) {
      const doc = await readItem<RowsDoc>(this.container, journalPageId(page), customerId);
      if (!doc || doc.rows.length < JOURNAL_PAGE_ROWS) return { page, offset: doc?.rows.length ?? 0 };
      page++;
    }
  }

  /**
   * Appends records to the journal: one read and one IfMatch write per page they go to. Compacts once
   * the journal has grown COMPACT_AFTER_PAGES pages past the base.
   */
  async append(customerId: string, records: IndexRecord[]): Promise<void> {
    if (!records.length) return;
    const manifest = await this.manifest(customerId);
    let page = Math.max(this.appendAt.get(customerId) ?? 0, manifest?.from.page ?? 0);
    let rest = records;
    for (let attempt = 0; rest.length; attempt++) {
      if (attempt > 1000) throw new Error(`page index journal of ${customerId}: too much contention`);
      const doc = await readItem<RowsDoc>(this.container, journalPageId(page), customerId);
      const room = JOURNAL_PAGE_ROWS - (doc?.rows.length ?? 0);
      if (room <= 0) {
        page++;
        continue;
      }
      const next = encodeRows(rest.slice(0, room), doc ? { skus: [...doc.skus], rows: [...doc.rows] } : undefined);
      const body: RowsDoc = { id: journalPageId(page), type: 'userIndexJournal', customerId, skus: next.skus, rows: next.rows };
      try {
        if (doc) await withRetry(() => this.container.item(body.id, customerId).replace(body, { accessCondition: { type: 'IfMatch', condition: doc._etag! } }));
        else await withRetry(() => this.container.items.create(body));
      } catch (err) {
        // Another writer got there first (a repeat after a lost reply lands here too: its rows go in
        // again, which the revisions make harmless).
        if (isPreconditionFailed(err) || isConflict(err)) continue;
        throw err;
      }
      rest = rest.slice(room);
    }
    this.appendAt.set(customerId, page);
    if (manifest && page - manifest.from.page >= COMPACT_AFTER_PAGES) await this.compact(customerId);
  }

  /** A new generation from the index in memory, switched to with IfMatch; a lost race changes nothing. */
  private async compact(customerId: string): Promise<void> {
    if (this.compacting.has(customerId)) return;
    this.compacting.add(customerId);
    try {
      await this.current(customerId);
      const state = this.loaded.get(customerId)!;
      const manifest = await this.manifest(customerId);
      if (!manifest || manifest.lineage !== state.lineage || behind(state.position, manifest.from)) return;
      await this.writeGeneration(customerId, state.index.all(), state.position, { lineage: state.lineage, replacing: manifest });
    } finally {
      this.compacting.delete(customerId);
    }
  }

  /**
   * Writes a base and switches the manifest to it. `from`: where the journal ended before `records`
   * were gathered (rows appended since apply on top, by revision). Without `lineage`, a new one (the
   * records do not derive from the journal). `replacing`: the manifest expected (IfMatch); `ifUnchanged`:
   * the one there now (a rebuild racing another); neither: whatever is there (an import, a Graph fill).
   * False when another writer switched first: this base is deleted again.
   */
  async writeGeneration(customerId: string, records: IndexRecord[], from: JournalPosition, options: { lineage?: string; replacing?: ManifestDoc; ifUnchanged?: boolean } = {}): Promise<boolean> {
    const generation = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    const parts = splitRows(records, SHARD_BYTES);
    await mapLimit(parts, 4, (p, n) => withRetry(() => this.container.items.upsert<RowsDoc>({ id: shardId(generation, n), type: 'userIndexShard', customerId, skus: p.skus, rows: p.rows })));
    const old = options.replacing ?? (await this.manifest(customerId));
    const expected = options.replacing ?? (options.ifUnchanged ? (old ?? 'none') : undefined);
    const manifest: ManifestDoc = {
      id: MANIFEST_ID, type: 'userIndex', customerId, generation, lineage: options.lineage ?? randomUUID(), shards: parts.length, from,
      keepFrom: Math.min(old?.from.page ?? from.page, from.page), writtenAt: new Date().toISOString(),
    };
    try {
      if (expected === 'none') await withRetry(() => this.container.items.create(manifest));
      else if (expected) await withRetry(() => this.container.item(MANIFEST_ID, customerId).replace(manifest, { accessCondition: { type: 'IfMatch', condition: expected._etag! } }));
      else await withRetry(() => this.container.items.upsert(manifest));
    } catch (err) {
      if (!isPreconditionFailed(err) && !isConflict(err)) throw err;
      await this.deleteAll(customerId, parts.map((_, n) => shardId(generation, n)));
      return false;
    }
    const held = this.loaded.get(customerId);
    // A compaction keeps the index it was written from; any other base replaces what this process held.
    if (held && held.lineage === manifest.lineage && !behind(held.position, from)) held.generation = generation;
    else this.loaded.set(customerId, { index: new PageIndex(records), generation, lineage: manifest.lineage, position: from });
    if (old) {
      const pages = Array.from({ length: Math.max(0, manifest.keepFrom - (old.keepFrom ?? 0)) }, (_, i) => journalPageId((old.keepFrom ?? 0) + i));
      await this.deleteAll(customerId, [...Array.from({ length: old.shards }, (_, n) => shardId(old.generation, n)), ...pages]);
    }
    return true;
  }

  private async deleteAll(customerId: string, ids: string[]): Promise<void> {
    await mapLimit(ids, 8, (id) => deleteItem(this.container, id, customerId));
  }
}

