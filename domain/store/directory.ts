// Users and products of each customer, in the `directory` container (partition key: customerId).
import type { Container } from '@azure/cosmos';
import { PAGE_SIZE, type DirectorySummary, type DirectoryUserRecord, type LicenseChangeMark, type PageMove, type SelectionSummary, type UserFilter, type UserPage } from '../directory-port';
import type { NamedEntry } from '../user-resolution';
import { directoryUserFields, type DirectoryUser, type SubscribedSku } from '../model';
import { deleteItem, isPreconditionFailed, mapLimit, queryAll, readItem, readModifyWrite, stripDoc, withRetry } from './cosmos';
import { nameOf, pageOf, userKeys, type PageIndex } from './page-index';
import { DirectorySummaries, type SummaryDoc } from './directory-summary';
import { QUERIES_UP_TO_USERS, readInBatches, readUsersById } from './users-by-id';
import { replaceInBatches, upsertInBatches } from './batched-upserts';
import { nextRev, UserIndex, type IndexedUser } from './user-index';

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

export { summarize } from './directory-summary';

/** A user as a card shows it: Graph's fields and the sort key, without License Desk's marks (see usersById). */
const DISPLAY_FIELDS = [...directoryUserFields, 'sortKey'].map((f) => `c.${f}`).join(', ');

export { fold } from '../fold';

/** `previousRev`: the revision of the document this one replaces, if known. */
export function toUserDoc(customerId: string, user: DirectoryUser, licenseChanges: LicenseChangeMark[] = [], previousRev?: number): UserDoc {
  return {
    ...user,
    type: 'user',
    customerId,
    ...userKeys(user),
    skuIds: user.assignedLicenses.map((l) => l.skuId),
    licenseChanges,
    rev: nextRev(previousRev),
  };
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
  private readonly summaries: DirectorySummaries;

  constructor(private readonly container: Container) {
    this.index = new UserIndex(container);
    this.summaries = new DirectorySummaries(container, this.index);
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

  private async skusWithSummary(customerId: string): Promise<{ skus: SkuDoc[]; summary: SummaryDoc }> {
    const summary = await this.summaries.doc(customerId);
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
   * Users by id; missing ids are simply absent from the map (how they are read: users-by-id.ts).
   */
  async usersById(customerId: string, ids: string[], options: { withoutMarks?: boolean } = {}): Promise<Map<string, UserDoc>> {
    const select = options.withoutMarks ? DISPLAY_FIELDS : '*';
    const population = this.index.sizeHint(customerId) ?? (await this.index.get(customerId)).entries.length;
    const found = await readUsersById<UserDoc>(this.container, customerId, ids, select, population);
    if (options.withoutMarks) for (const u of found.values()) u.licenseChanges ??= [];
    return found;
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
   * Many users of one customer replaced only if nobody changed them since they were read, as
   * transactional batches: per document the stored user, or undefined where the batch did not decide
   * it (the caller then writes that one on its own). Only a batch that came back all-200 counts: the
   * emulator does not roll a failed batch back, so a failed batch's 200s may or may not be written, and
   * the single write sorts them out (412 → read back → its own mark). `beforeWrite`: the lease fence
   * (see replaceInBatches).
   */
  async replaceUsersIfUnchanged(customerId: string, docs: UserDoc[], beforeWrite?: () => void): Promise<(UserDoc | undefined)[]> {
    const written = await replaceInBatches(this.container, customerId, docs, beforeWrite);
    // Into the page index with the chunk's next flush, as replaceUserIfUnchanged does.
    for (const doc of written) if (doc) this.index.written(customerId, doc);
    return written;
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
  remove(customerId: string, id: string): Promise<void> {
    return deleteItem(this.container, id, customerId);
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
   * Many documents of one customer, as upserts in batches (batched-upserts.ts); returns, per document,
   * undefined or the error that stopped it. Users written go into the page index (one journal append),
   * unless the caller writes a base of them (`index: false`).
   */
  async upsertMany<T extends { id: string; customerId: string }>(customerId: string, docs: T[], options: { index?: boolean } = {}): Promise<(unknown | undefined)[]> {
    const errors = await upsertInBatches(this.container, customerId, docs);
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

  /**
   * Holders of every product at once, counted from the users themselves: one query returning each
   * user's product list, instead of a COUNT per product (each a scan of the container on the emulator).
   */
  async holdersByProduct(customerId: string): Promise<Map<string, number>> {
    const holders = new Map<string, number>();
    const count = (lists: (string[] | undefined)[]) => {
      for (const list of lists) for (const skuId of list ?? []) holders.set(skuId, (holders.get(skuId) ?? 0) + 1);
    };
    const ids = (await this.pageIndex(customerId)).entries.map((e) => e.id);
    if (ids.length <= QUERIES_UP_TO_USERS) {
      count(await queryAll<string[]>(this.container, 'SELECT VALUE c.skuIds FROM c WHERE c.customerId = @c AND c.type = "user"', [{ name: '@c', value: customerId }], 100_000));
      return holders;
    }
    // Above 20,000 users even that query takes minutes on the emulator (~0.4 ms per document and query,
    // whatever the query): the users the index lists are read themselves, 100 to a request, 10,000 at a time.
    for (let i = 0; i < ids.length; i += 10_000) count([...(await readInBatches<UserDoc>(this.container, customerId, ids.slice(i, i + 10_000))).values()].map((u) => u.skuIds));
    return holders;
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
    // One batch of 20 point reads: a query for them made the emulator scan every user of the container
    // per click (0.2 s of its CPU at 10,000 users), and 20 requests cost the bot more than the reads.
    const read = await readInBatches<UserDoc>(this.container, customerId, ids);
    const users = ids.map((id) => read.get(id)).filter((u): u is UserDoc => !!u);
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

  /** The customer's summary (directory-summary.ts). */
  async summary(customerId: string): Promise<DirectorySummary> {
    const { departments, usageLocations, userCount, skuIds } = await this.summaries.doc(customerId);
    return { departments, usageLocations, userCount, skuIds };
  }

  rebuildSummary(customerId: string, products = true): Promise<DirectorySummary> {
    return this.summaries.rebuild(customerId, products);
  }

  /** Stores a customer's summary (the import writes it with the users). */
  saveSummary(customerId: string, summary: DirectorySummary): Promise<void> {
    return this.summaries.save(customerId, summary);
  }

  async departments(customerId: string): Promise<string[]> {
    return (await this.summary(customerId)).departments;
  }

  /** Ids of every user matching a filter, in sort-key order (from the page index). */
  async idsMatching(customerId: string, filter: UserFilter): Promise<string[]> {
    return (await this.pageIndex(customerId)).matching(filter).map((e) => e.id);
  }

  /** The selected users known here, in sort-key order, and holders per product: from the page index. */
  async selectionSummary(customerId: string, selected: { has(id: string): boolean }): Promise<SelectionSummary> {
    return (await this.pageIndex(customerId)).selection(selected);
  }

  /** The fields name resolution needs, of every user: the page index's entries, no read of the users. */
  async nameEntries(customerId: string): Promise<NamedEntry[]> {
    return (await this.pageIndex(customerId)).entries.map(nameOf);
  }

  /** Users whose name, UPN, department or title contains `text`, first `top` in sort-key order (from the page index). */
  async searchNames(customerId: string, text: string, top: number): Promise<NamedEntry[]> {
    return (await this.pageIndex(customerId)).matching({ text }).slice(0, top).map(nameOf);
  }
}
