// Users and products of each customer, in the `directory` container (partition key: customerId).
import type { Container, SqlParameter } from '@azure/cosmos';
import { PAGE_SIZE, type DirectoryUserRecord, type LicenseChangeMark, type PageMove, type UserFilter, type UserPage } from '../directory-port';
import { fold } from '../fold';
import type { DirectoryUser, SubscribedSku } from '../model';
import { isPreconditionFailed, mapLimit, queryAll, readItem, readModifyWrite, stripDoc, withRetry } from './cosmos';

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

/** From this many ids on, reading the whole partition once is cheaper than id-list queries. */
export const SCAN_THRESHOLD = 1000;

export { fold } from '../fold';

export function toUserDoc(customerId: string, user: DirectoryUser, licenseChanges: LicenseChangeMark[] = []): UserDoc {
  return {
    ...user,
    type: 'user',
    customerId,
    sortKey: `${fold(user.displayName)}\u0001${user.id}`,
    search: fold([user.displayName, user.userPrincipalName, user.department ?? '', user.jobTitle ?? ''].join(' ')),
    departmentKey: fold(user.department ?? ''),
    skuIds: user.assignedLicenses.map((l) => l.skuId),
    licenseChanges,
  };
}

export const skuDocId = (skuId: string) => `sku:${skuId}`;

export function toSkuDoc(customerId: string, sku: SubscribedSku): SkuDoc {
  return { ...sku, id: skuDocId(sku.skuId), type: 'sku', customerId, reservations: {} };
}

export type { LicenseChangeMark, PageMove, UserFilter, UserPage } from '../directory-port';
export { MAX_LICENSE_MARKS, PAGE_SIZE } from '../directory-port';

export class DirectoryRepository {
  constructor(private readonly container: Container) {}

  async skus(customerId: string): Promise<SkuDoc[]> {
    return queryAll<SkuDoc>(this.container, 'SELECT * FROM c WHERE c.customerId = @c AND c.type = "sku"', [{ name: '@c', value: customerId }]);
  }

  sku(customerId: string, skuId: string): Promise<SkuDoc | undefined> {
    return readItem<SkuDoc>(this.container, skuDocId(skuId), customerId);
  }

  user(customerId: string, userId: string): Promise<UserDoc | undefined> {
    return readItem<UserDoc>(this.container, userId, customerId);
  }

  /**
   * Users by id; missing ids are simply absent from the map. Few ids: one query per 100 ids. Many ids:
   * one pass over the customer's partition, since each id-list query is itself a scan of it.
   */
  async usersById(customerId: string, ids: string[]): Promise<Map<string, UserDoc>> {
    if (ids.length >= SCAN_THRESHOLD) {
      const wanted = new Set(ids);
      const found = new Map<string, UserDoc>();
      const iterator = this.container.items.query<UserDoc>(
        { query: 'SELECT * FROM c WHERE c.customerId = @c AND c.type = "user"', parameters: [{ name: '@c', value: customerId }] },
        { maxItemCount: 1000 },
      );
      while (iterator.hasMoreResults()) {
        const { resources } = await withRetry(() => iterator.fetchNext());
        for (const u of resources) if (wanted.has(u.id)) found.set(u.id, u);
      }
      return found;
    }
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100));
    const found = await mapLimit(chunks, 4, (chunk) =>
      queryAll<UserDoc>(this.container, 'SELECT * FROM c WHERE c.customerId = @c AND c.type = "user" AND ARRAY_CONTAINS(@ids, c.id)', [
        { name: '@c', value: customerId },
        { name: '@ids', value: chunk },
      ]),
    );
    return new Map(found.flat().map((u) => [u.id, u]));
  }

  /** Replaces a user only if nobody changed it since it was read: the stored user, or undefined on a lost race. */
  async replaceUserIfUnchanged(doc: UserDoc): Promise<UserDoc | undefined> {
    try {
      const { resource } = await withRetry(() =>
        this.container.item(doc.id, doc.customerId).replace<UserDoc>(stripDoc(doc), { accessCondition: { type: 'IfMatch', condition: doc._etag! } }),
      );
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
  updateSku(customerId: string, skuId: string, change: (doc: SkuDoc) => SkuDoc | undefined): Promise<SkuDoc | undefined> {
    return readModifyWrite<SkuDoc>(this.container, skuDocId(skuId), customerId, (doc) => doc && change(doc));
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

  /** Ids of every user of a customer (the Graph mirror drops those Graph no longer lists). */
  userIds(customerId: string): Promise<string[]> {
    return queryAll<string>(this.container, 'SELECT VALUE c.id FROM c WHERE c.customerId = @c AND c.type = "user"', [{ name: '@c', value: customerId }]);
  }

  async upsert<T extends { id: string; customerId: string }>(doc: T): Promise<void> {
    await withRetry(() => this.container.items.upsert(stripDoc(doc)));
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

  private where(customerId: string, filter: UserFilter): { sql: string; parameters: SqlParameter[] } {
    const parts = ['c.customerId = @c', 'c.type = "user"'];
    const parameters: SqlParameter[] = [{ name: '@c', value: customerId }];
    if (filter.text) {
      parts.push('CONTAINS(c.search, @text)');
      parameters.push({ name: '@text', value: fold(filter.text) });
    }
    if (filter.department) {
      parts.push('c.departmentKey = @dept');
      parameters.push({ name: '@dept', value: fold(filter.department) });
    }
    if (filter.skuId === 'none') parts.push('ARRAY_LENGTH(c.skuIds) = 0');
    else if (filter.skuId) {
      parts.push('ARRAY_CONTAINS(c.skuIds, @sku)');
      parameters.push({ name: '@sku', value: filter.skuId });
    }
    return { sql: parts.join(' AND '), parameters };
  }

  async countUsers(customerId: string, filter: UserFilter = {}, beforeKey?: string): Promise<number> {
    const { sql, parameters } = this.where(customerId, filter);
    const extra = beforeKey ? ' AND c.sortKey < @before' : '';
    if (beforeKey) parameters.push({ name: '@before', value: beforeKey });
    const [n] = await queryAll<number>(this.container, `SELECT VALUE COUNT(1) FROM c WHERE ${sql}${extra}`, parameters);
    return n ?? 0;
  }

  /** Keyset paging on sortKey: First/Previous/Next/Last without OFFSET, pages aligned to PAGE_SIZE. */
  async page(customerId: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }, pageSize = PAGE_SIZE): Promise<UserPage<UserDoc>> {
    const total = await this.countUsers(customerId, filter);
    const pageCount = Math.max(1, Math.ceil(total / pageSize));
    const { sql, parameters } = this.where(customerId, filter);
    let query: string;
    let descending = false;
    if (move === 'next' && anchor?.lastKey) {
      query = `SELECT TOP ${pageSize} * FROM c WHERE ${sql} AND c.sortKey > @k ORDER BY c.sortKey`;
      parameters.push({ name: '@k', value: anchor.lastKey });
    } else if (move === 'previous' && anchor?.firstKey) {
      query = `SELECT TOP ${pageSize} * FROM c WHERE ${sql} AND c.sortKey < @k ORDER BY c.sortKey DESC`;
      parameters.push({ name: '@k', value: anchor.firstKey });
      descending = true;
    } else if (move === 'last' && total > 0) {
      const lastCount = total % pageSize || pageSize;
      query = `SELECT TOP ${lastCount} * FROM c WHERE ${sql} ORDER BY c.sortKey DESC`;
      descending = true;
    } else {
      query = `SELECT TOP ${pageSize} * FROM c WHERE ${sql} ORDER BY c.sortKey`;
    }
    let users = await queryAll<UserDoc>(this.container, query, parameters);
    if (descending) users = users.reverse();
    // Past either end (the list shrank, or a stale card): fall back to the nearest real page.
    if (!users.length && total > 0 && move !== 'first') return this.page(customerId, filter, move === 'next' ? 'last' : 'first', undefined, pageSize);
    const firstKey = users[0]?.sortKey;
    const before = firstKey ? await this.countUsers(customerId, filter, firstKey) : 0;
    return { users, total, pageCount, pageNumber: Math.floor(before / pageSize) + 1, firstKey, lastKey: users[users.length - 1]?.sortKey };
  }

  /** Departments present in a customer, for the filter choice (no DISTINCT in the emulator). */
  async departments(customerId: string): Promise<string[]> {
    const rows = await queryAll<string>(this.container, 'SELECT VALUE c.department FROM c WHERE c.customerId = @c AND c.type = "user"', [
      { name: '@c', value: customerId },
    ]);
    return [...new Set(rows.filter((d): d is string => !!d))].sort((a, b) => a.localeCompare(b));
  }
}
