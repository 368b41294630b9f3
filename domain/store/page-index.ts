// Per customer, in this process: every user's sort key and filter fields (not the users), in sort-key
// order — so a page, a count, "select all N matching" and the page number are work in memory instead
// of three scans of the partition each (the emulator evaluates every query over every document; a
// 10,000-user page took 3 of them). Only the 20 users shown are then read, by id.
//
// Fresh by construction: the index is tagged with the ETags of the customer's summary and product
// documents. The import rewrites both; every license change settles seats on the product documents it
// changes. A page therefore sees a change at the latest when its chunk has settled (≤ 100 users later),
// and the users it shows are always read fresh. A writer that changes users outside these paths (a
// Graph delta sync into the mirror) calls DirectoryRepository.markChanged.
import type { Container } from '@azure/cosmos';
import type { UserFilter } from '../directory-port';
import { fold } from '../fold';
import { queryAll } from './cosmos';

export interface IndexEntry {
  id: string;
  sortKey: string;
  search: string;
  departmentKey: string;
  usageLocation?: string | null;
  accountEnabled?: boolean | null;
  skuIds: string[];
  /** What name resolution needs (a pasted list is matched against the index, not a read of everyone). */
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
}

export class PageIndex {
  private constructor(
    readonly version: string,
    /** Sorted by sortKey. */
    readonly entries: IndexEntry[],
  ) {}

  static async load(container: Container, customerId: string, version: string): Promise<PageIndex> {
    const entries = await queryAll<IndexEntry>(
      container,
      'SELECT c.id, c.sortKey, c.search, c.departmentKey, c.usageLocation, c.accountEnabled, c.skuIds, c.displayName, c.userPrincipalName, c.mail FROM c WHERE c.customerId = @c AND c.type = "user"',
      [{ name: '@c', value: customerId }],
      100_000,
    );
    entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    return new PageIndex(version, entries);
  }

  /** The entries matching a filter, in sort-key order: the same rules as the directory's WHERE clause. */
  matching(filter: UserFilter): IndexEntry[] {
    const text = filter.text ? fold(filter.text) : undefined;
    const dept = filter.department ? fold(filter.department) : undefined;
    const location = filter.usageLocation?.toUpperCase();
    if (!text && !dept && !filter.skuId && !filter.lacksSkuId && !location && filter.accountEnabled === undefined) return this.entries;
    return this.entries.filter(
      (e) =>
        (!text || e.search.includes(text)) &&
        (!dept || e.departmentKey === dept) &&
        (!filter.skuId || (filter.skuId === 'none' ? e.skuIds.length === 0 : e.skuIds.includes(filter.skuId))) &&
        (!filter.lacksSkuId || !e.skuIds.includes(filter.lacksSkuId)) &&
        (!location || (location === 'NONE' ? !e.usageLocation : e.usageLocation === location)) &&
        (filter.accountEnabled === undefined || (filter.accountEnabled ? e.accountEnabled !== false : e.accountEnabled === false)),
    );
  }
}

/** The first index in sorted `entries` whose key is > `key` (or ≥ with `inclusive`). */
export function firstAfter(entries: IndexEntry[], key: string, inclusive = false): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = entries[mid].sortKey;
    if (k < key || (!inclusive && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface IndexPage {
  ids: string[];
  total: number;
  pageNumber: number;
  pageCount: number;
}

/** Keyset paging over the index: First/Previous/Next/Last, pages aligned to `pageSize` as before. */
export function pageOf(matching: IndexEntry[], move: 'first' | 'next' | 'previous' | 'last', anchor: { firstKey?: string; lastKey?: string } | undefined, pageSize: number): IndexPage {
  const total = matching.length;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  let start: number;
  if (move === 'next' && anchor?.lastKey) start = firstAfter(matching, anchor.lastKey);
  else if (move === 'previous' && anchor?.firstKey) start = Math.max(0, firstAfter(matching, anchor.firstKey, true) - pageSize);
  else if (move === 'last') start = total - (total % pageSize || pageSize);
  else start = 0;
  // Past either end (the list shrank, or a stale card): the nearest real page.
  if (start >= total) start = Math.max(0, total - (total % pageSize || pageSize));
  start = Math.max(0, start);
  const ids = matching.slice(start, start + pageSize).map((e) => e.id);
  return { ids, total, pageCount, pageNumber: Math.floor(start / pageSize) + 1 };
}
