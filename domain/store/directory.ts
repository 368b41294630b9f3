// Users and products of each customer, in the `directory` container (partition key: customerId).
import type { Container } from '@azure/cosmos';
import { FIRST_NAMES_SHOWN, PAGE_SIZE, type DirectorySummary, type DirectoryUserRecord, type LicenseChangeMark, type PageMove, type SelectionSummary, type UserFilter, type UserPage } from '../directory-port';
import type { NamedEntry } from '../user-resolution';
import { fold } from '../fold';
import { directoryUserFields, type DirectoryUser, type SubscribedSku } from '../model';
import { isPreconditionFailed, mapLimit, queryAll, readItem, readModifyWrite, stripDoc, withRetry } from './cosmos';
import { pageOf, type PageIndex } from './page-index';
import { nextRev, UserIndex, type IndexedUser } from './user-index';

/** Cosmos DB's limits for a batch are 100 operations and 2 MB; License Desk stays at half the size. */
const MAX_BATCH_OPERATIONS = 100;
const MAX_BATCH_BYTES = 1_000_000;

export interface UserDoc extends DirectoryUserRecord {
  type: 'user';
  customerId: string;
  /** Folded display name + id: a total order for keyset paging (no OFFSET in the emulator). */
  sortKey: string;
  /** Folded name, UPN and department, for "contains" filters. */
  search: string;
  departmentKey: string;
  /** Denormalized from assignedLicenses for the license filter. */
  skuIds: string[];
  licenseChanges: LicenseChangeMark[];
  /** Revision: higher on every write of the user (see nextRev); the page index keeps the newest. */
  rev?: number;
  _etag?: string;
}

export interface SkuDoc extends SubscribedSku {
  id: string;
  type: 'sku';
  customerId: string;
  /**
   * Seats held by running operations, per operation chunk. They are already counted in consumedUnits,
   * so a seat is taken before any user gets it and no two requests can promise the same seat.
   */
  reservations: Record<string, number>;
  _etag?: string;
}

/** A user as a card shows it: Graph's fields and the sort key, without License Desk's marks (see usersById). */
const DISPLAY_FIELDS = [...directoryUserFields, 'sortKey'].map((f) => `c.${f}`).join(', ');

/**
 * From this many ids on, reading the whole partition once is cheaper than id-list queries. On the
 * emulator (every query a scan of the container; 10,000 users): one query for 1,000 ids costs about
 * half a scan of everyone, ten of 100 ids each 2.5 scans, 1,000 point reads 1.5 — and a scan also
 * carries all 10,000 documents to the bot (Manage licenses with 1,000 selected held them all).
 */
export const SCAN_THRESHOLD = 2000;
/** Up to this many ids, point reads (a page of the selected users, a few names); more, id-list queries. */
const POINT_READS_UP_TO = 50;
/**
 * Customers larger than this are read by point reads only: every query is a scan of the container on
 * the emulator, and at 100,000 users one id-list query for 100 ids had not answered after 5 minutes,
 * while 2,000 point reads took 1.6 s (32 at a time).
 */
const QUERIES_UP_TO_USERS = 20_000;
const POINT_READS_IN_FLIGHT = 32;
/** Ids per id-list query (ARRAY_CONTAINS over a parameter: 1,000 ids are about 40 KB of the 512 KB a query may have). */
const IDS_PER_QUERY = 1000;

export { fold } from '../fold';

/** `previousRev`: the revision of the document this one replaces, if known. */
export function toUserDoc(customerId: string, user: DirectoryUser, licenseChanges: LicenseChangeMark[] = [], previousRev?: number): UserDoc {
  return {
    ...user,
    type: 'user',
    customerId,
    sortKey: `${fold(user.displayName)}\u0001${user.id}`,
    search: fold([user.displayName, user.userPrincipalName, user.department ?? '', user.jobTitle ?? ''].join(' ')),
    departmentKey: fold(user.department ?? ''),
    skuIds: user.assignedLicenses.map((l) => l.skuId),
    licenseChanges,
    rev: nextRev(previousRev),
  };
}

const SUMMARY_ID = 'summary:directory';

interface SummaryDoc extends DirectorySummary {
  id: string;
  type: 'summary';
  customerId: string;
}

/** Departments and usage locations present (sorted, each once) and the number of users. */
export function summarize(users: Iterable<{ department?: string | null; usageLocation?: string | null }>, skuIds: string[]): DirectorySummary {
  const departments = new Set<string>();
  const locations = new Set<string>();
  let userCount = 0;
  for (const u of users) {
    userCount++;
    if (u.department) departments.add(u.department);
    if (u.usageLocation) locations.add(u.usageLocation);
  }
  return { departments: [...departments].sort((a, b) => a.localeCompare(b)), usageLocations: [...locations].sort(), userCount, skuIds: [...skuIds].sort() };
}

export const skuDocId = (skuId: string) => `sku:${skuId}`;

export function toSkuDoc(customerId: string, sku: SubscribedSku): SkuDoc {
  return { ...sku, id: skuDocId(sku.skuId), type: 'sku', customerId, reservations: {} };
}

export type { LicenseChangeMark, PageMove, UserFilter, UserPage } from '../directory-port';
export { MAX_LICENSE_MARKS, PAGE_SIZE } from '../directory-port';

export class DirectoryRepository {
  /** The page index of each customer (user-index.ts), kept current by this repository's user writes. */
  readonly index: UserIndex;

  constructor(private readonly container: Container) {
    this.index = new UserIndex(container);
  }

  /** Every product document of the customer (a query: the truth, for audits and the Graph mirror). */
  async skus(customerId: string): Promise<SkuDoc[]> {
    return queryAll<SkuDoc>(this.container, 'SELECT * FROM c WHERE c.customerId = @c AND c.type = "sku"', [{ name: '@c', value: customerId }]);
  }

  /**
   * The products the customer's summary lists (the import writes it with them; a new product in the
   * mirror rebuilds it), by point reads: what a click needs. A query would do, but the emulator
   * evaluates every query over every document of the container — all 10,000 users, 0.2 s of its CPU,
   * per click — while a point read is a lookup.
   */
  async listedSkus(customerId: string): Promise<SkuDoc[]> {
    return (await this.skusWithSummary(customerId)).skus;
  }

  private async skusWithSummary(customerId: string): Promise<{ skus: SkuDoc[]; summary: SummaryDoc & { _etag: string } }> {
    const summary = await this.summaryDoc(customerId);
    const read = await mapLimit(summary.skuIds ?? [], 16, (skuId) => readItem<SkuDoc>(this.container, skuDocId(skuId), customerId));
    return { summary, skus: read.filter((s): s is SkuDoc & { _etag: string } => !!s) };
  }

  sku(customerId: string, skuId: string): Promise<SkuDoc | undefined> {
    return readItem<SkuDoc>(this.container, skuDocId(skuId), customerId);
  }

  user(customerId: string, userId: string): Promise<UserDoc | undefined> {
    return readItem<UserDoc>(this.container, userId, customerId);
  }

  /**
   * Users by id; missing ids are simply absent from the map. Few ids: one query per 1,000 ids. Many ids:
   * one pass over the customer's partition, since each id-list query is itself a scan of it.
   */
  async usersById(customerId: string, ids: string[], options: { withoutMarks?: boolean } = {}): Promise<Map<string, UserDoc>> {
    const select = options.withoutMarks ? DISPLAY_FIELDS : '*';
    const found = await this.readUsersById(customerId, ids, select);
    if (options.withoutMarks) for (const u of found.values()) u.licenseChanges ??= [];
    return found;
  }

  private async readUsersById(customerId: string, ids: string[], select: string): Promise<Map<string, UserDoc>> {
    const population = this.index.sizeHint(customerId) ?? (await this.index.get(customerId)).entries.length;
    if (ids.length <= POINT_READS_UP_TO || population > QUERIES_UP_TO_USERS) {
      // A lookup each: on the emulator an id-list query is a scan of the container (0.2 s of its CPU at 10,000 users).
      const read = await mapLimit(ids, POINT_READS_IN_FLIGHT, (id) => readItem<UserDoc>(this.container, id, customerId));
      return new Map(read.filter((u): u is UserDoc & { _etag: string } => !!u && u.type === 'user').map((u) => [u.id, u]));
    }
    if (ids.length >= SCAN_THRESHOLD) {
      const wanted = new Set(ids);
      const found = new Map<string, UserDoc>();
      const iterator = this.container.items.query<UserDoc>(
        { query: `SELECT ${select} FROM c WHERE c.customerId = @c AND c.type = "user"`, parameters: [{ name: '@c', value: customerId }] },
        // Large pages: the emulator runs the whole query again for every continuation.
        { maxItemCount: 10_000 },
      );
      while (iterator.hasMoreResults()) {
        const { resources } = await withRetry(() => iterator.fetchNext());
        for (const u of resources) if (wanted.has(u.id)) found.set(u.id, u);
      }
      return found;
    }
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) chunks.push(ids.slice(i, i + IDS_PER_QUERY));
    const found = await mapLimit(chunks, 4, (chunk) =>
      queryAll<UserDoc>(this.container, `SELECT ${select} FROM c WHERE c.customerId = @c AND c.type = "user" AND ARRAY_CONTAINS(@ids, c.id)`, [
        { name: '@c', value: customerId },
        { name: '@ids', value: chunk },
      ]),
    );
    return new Map(found.flat().map((u) => [u.id, u]));
  }

  /** Replaces a user only if nobody changed it since it was read: the stored user, or undefined on a lost race. */
  async replaceUserIfUnchanged(doc: UserDoc, beforeWrite?: () => void): Promise<UserDoc | undefined> {
    try {
      const { resource } = await withRetry(() =>
        (beforeWrite?.(), this.container.item(doc.id, doc.customerId).replace<UserDoc>(stripDoc(doc), { accessCondition: { type: 'IfMatch', condition: doc._etag! } })),
      );
      // Into the page index with the chunk's next flush (flushIndex), not a journal write per user.
      if (resource) this.index.written(doc.customerId, resource);
      return resource;
    } catch (err) {
      if (isPreconditionFailed(err)) return undefined;
      throw err;
    }
  }

  /**
   * Read-modify-write of a product's seat counter (see readModifyWrite). `change` returns the new
   * document, or undefined to leave it as it is; a missing product stays missing.
   */
  updateSku(customerId: string, skuId: string, change: (doc: SkuDoc) => SkuDoc | undefined, beforeWrite?: () => void): Promise<SkuDoc | undefined> {
    return readModifyWrite<SkuDoc>(this.container, skuDocId(skuId), customerId, (doc) => doc && change(doc), undefined, beforeWrite);
  }

  /** Any document of a customer's partition by id (e.g. the Graph mirror's sync state). */
  doc<T extends { id: string }>(customerId: string, id: string): Promise<(T & { _etag: string }) | undefined> {
    return readItem<T>(this.container, id, customerId);
  }

  /** Removes a document; one already gone is fine (a delete repeated after a lost reply). */
  async remove(customerId: string, id: string): Promise<void> {
    try {
      await withRetry(() => this.container.item(id, customerId).delete());
    } catch (err) {
      if ((err as { code?: number })?.code !== 404) throw err;
    }
  }

  /** Removes users, and puts them in the page index as removed (one journal append for all of them). */
  async removeUsers(customerId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await mapLimit(ids, 16, (id) => this.remove(customerId, id));
    await this.index.removed(customerId, ids);
  }

  /** The users this repository wrote since the last flush, and `also`, appended to the page index's journal. */
  flushIndex(customerId: string, also: IndexedUser[] = []): Promise<void> {
    return this.index.flush(customerId, also);
  }

  /** Ids of every user of a customer (the Graph mirror drops those Graph no longer lists). */
  userIds(customerId: string): Promise<string[]> {
    return queryAll<string>(this.container, 'SELECT VALUE c.id FROM c WHERE c.customerId = @c AND c.type = "user"', [{ name: '@c', value: customerId }]);
  }

  async upsert<T extends { id: string; customerId: string }>(doc: T): Promise<void> {
    await withRetry(() => this.container.items.upsert(stripDoc(doc)));
  }

  /**
   * Many documents of one customer, as upserts in batches on its partition key (≤ 100 operations and
   * ≤ 1 MB each, Cosmos DB's batch limits being 100 and 2 MB), a few batches at a time: one request
   * instead of a hundred. A document whose upsert in the batch failed is written again on its own.
   * Returns, per document, undefined or the error that stopped it.
   * https://learn.microsoft.com/azure/cosmos-db/nosql/transactional-batch
   */
  async upsertMany<T extends { id: string; customerId: string }>(customerId: string, docs: T[], options: { index?: boolean } = {}): Promise<(unknown | undefined)[]> {
    const errors: (unknown | undefined)[] = docs.map(() => undefined);
    const groups: number[][] = [];
    let bytes = Infinity;
    docs.forEach((doc, i) => {
      if (doc.customerId !== customerId) throw new Error(`document ${doc.id} is not of customer ${customerId}`);
      const size = JSON.stringify(doc).length;
      if (bytes + size > MAX_BATCH_BYTES || groups.at(-1)!.length >= MAX_BATCH_OPERATIONS) {
        groups.push([]);
        bytes = 0;
      }
      groups.at(-1)!.push(i);
      bytes += size;
    });
    await mapLimit(groups, 4, async (group) => {
      let failed = group;
      try {
        const response = await withRetry(() =>
          this.container.items.batch(group.map((i) => ({ operationType: 'Upsert' as const, partitionKey: customerId, resourceBody: stripDoc(docs[i]) as never })), customerId),
        );
        const results = response.result ?? [];
        failed = group.filter((_, k) => !(results[k]?.statusCode >= 200 && results[k]?.statusCode < 300));
      } catch {
        // The batch as a whole did not go through: each document on its own, with its own retries.
      }
      await mapLimit(failed, 8, async (i) => {
        try {
          await this.upsert(docs[i]);
        } catch (err) {
          errors[i] = err;
        }
      });
    });
    // Users written go into the page index (one journal append), unless the caller writes a base of them.
    const users = docs.filter((d, i) => errors[i] === undefined && (d as { type?: string }).type === 'user') as unknown as UserDoc[];
    if (options.index !== false) await this.index.append(customerId, users);
    return errors;
  }

  /** Number of users holding a product, counted from the users themselves (the truth for seats). */
  async holders(customerId: string, skuId: string): Promise<number> {
    const [n] = await queryAll<number>(
      this.container,
      'SELECT VALUE COUNT(1) FROM c WHERE c.customerId = @c AND c.type = "user" AND ARRAY_CONTAINS(c.skuIds, @s)',
      [{ name: '@c', value: customerId }, { name: '@s', value: skuId }],
    );
    return n ?? 0;
  }

  /** How many users match a filter (from the page index). */
  async count(customerId: string, filter: UserFilter = {}): Promise<number> {
    return (await this.pageIndex(customerId)).matching(filter).length;
  }

  /**
   * Keyset paging on sortKey: First/Previous/Next/Last without OFFSET, pages aligned to PAGE_SIZE. The
   * order and filters come from the customer's page index (page-index.ts); the users shown are read by id.
   */
  async page(customerId: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }, pageSize = PAGE_SIZE): Promise<UserPage<UserDoc>> {
    const index = await this.pageIndex(customerId);
    const { ids, total, pageCount, pageNumber } = pageOf(index.matching(filter), move, anchor, pageSize);
    // A point read each (in parallel): a query for them made the emulator scan every user of the
    // container per click (0.2 s of its CPU at 10,000 users), a point read is a lookup.
    const read = await mapLimit(ids, PAGE_SIZE, (id) => readItem<UserDoc>(this.container, id, customerId));
    const users = read.filter((u): u is UserDoc & { _etag: string } => !!u && u.type === 'user');
    return { users, total, pageCount, pageNumber, firstKey: users[0]?.sortKey, lastKey: users[users.length - 1]?.sortKey };
  }

  /** The customer's page index, as stored now (user-index.ts): two point reads when this process holds it. */
  pageIndex(customerId: string): Promise<PageIndex> {
    return this.index.get(customerId);
  }

  /**
   * After users changed outside an import or a license change (a Graph sync: its writes are in the page
   * index already): the summary's departments, locations and count again, from the index (no query);
   * the products too when `products` (a new one in the mirror).
   */
  async markChanged(customerId: string, products = false): Promise<void> {
    await this.rebuildSummary(customerId, products);
  }

  /**
   * The customer's summary document (departments, usage locations, user count). Written by the import;
   * when missing (data from before it existed) it is rebuilt with one projected read and stored.
   */
  async summary(customerId: string): Promise<DirectorySummary> {
    const { departments, usageLocations, userCount, skuIds } = await this.summaryDoc(customerId);
    return { departments, usageLocations, userCount, skuIds };
  }

  private async summaryDoc(customerId: string): Promise<SummaryDoc & { _etag: string }> {
    const stored = await readItem<SummaryDoc>(this.container, SUMMARY_ID, customerId);
    if (stored) return stored;
    await this.rebuildSummary(customerId);
    return (await readItem<SummaryDoc>(this.container, SUMMARY_ID, customerId))!;
  }

  /** The summary from the page index (departments and locations are in its entries) and the products listed. */
  async rebuildSummary(customerId: string, products = true): Promise<DirectorySummary> {
    const listed = products ? undefined : (await readItem<SummaryDoc>(this.container, SUMMARY_ID, customerId))?.skuIds;
    const skus = listed ?? (await queryAll<string>(this.container, 'SELECT VALUE c.skuId FROM c WHERE c.customerId = @c AND c.type = "sku"', [{ name: '@c', value: customerId }]));
    const summary = summarize((await this.pageIndex(customerId)).entries, skus);
    await this.saveSummary(customerId, summary);
    return summary;
  }

  /** Stores a customer's summary (the import writes it with the users). */
  async saveSummary(customerId: string, summary: DirectorySummary): Promise<void> {
    const doc: SummaryDoc = { id: SUMMARY_ID, type: 'summary', customerId, ...summary };
    await this.upsert(doc);
  }

  async departments(customerId: string): Promise<string[]> {
    return (await this.summary(customerId)).departments;
  }

  /** Ids of every user matching a filter, in sort-key order; a projection, read in pages of 5,000. */
  async idsMatching(customerId: string, filter: UserFilter): Promise<string[]> {
    return (await this.pageIndex(customerId)).matching(filter).map((e) => e.id);
  }

  /** The selected users known here, in sort-key order, and holders per product: from the page index. */
  async selectionSummary(customerId: string, selected: { has(id: string): boolean }): Promise<SelectionSummary> {
    const ids: string[] = [];
    const firstNames: string[] = [];
    const holders: Record<string, number> = {};
    for (const e of (await this.pageIndex(customerId)).entries) {
      if (!selected.has(e.id)) continue;
      ids.push(e.id);
      if (firstNames.length < FIRST_NAMES_SHOWN) firstNames.push(e.displayName);
      for (const skuId of e.skuIds) holders[skuId] = (holders[skuId] ?? 0) + 1;
    }
    return { ids, holders, firstNames };
  }

  /** The fields name resolution needs, of every user: the page index's entries, no read of the users. */
  async nameEntries(customerId: string): Promise<NamedEntry[]> {
    return (await this.pageIndex(customerId)).entries.map(({ id, displayName, userPrincipalName, mail }) => ({ id, displayName, userPrincipalName, mail }));
  }

  /** Users whose name, UPN, department or title contains `text`, first `top` in sort-key order (from the page index). */
  async searchNames(customerId: string, text: string, top: number): Promise<NamedEntry[]> {
    return (await this.pageIndex(customerId)).matching({ text }).slice(0, top).map(({ id, displayName, userPrincipalName, mail }) => ({ id, displayName, userPrincipalName, mail }));
  }
}
