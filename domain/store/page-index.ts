// Per customer, in this process: every user's sort key and filter fields (not the users), in sort-key
// order — so a page, a count, "select all N matching" and the page number are work in memory instead
// of three scans of the partition each (the emulator evaluates every query over every document; a
// 10,000-user page took 3 of them). Only the 20 users shown are then read, by id.
//
// The entries are kept as documents beside the users (user-index-store.ts): a base written whole, and a
// journal of the entries written since, each with its user's revision. An entry replaces another only
// if it is not older, so the journal may be read in any order and twice (a map of last writes wins).
import { FIRST_NAMES_SHOWN, type SelectionSummary, type UserFilter } from '../directory-port';
import type { NamedEntry } from '../user-resolution';
import { fold } from '../fold';

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
  /** Kept to store the entry again and for the summary (departments); the keys above derive from them. */
  department?: string | null;
  jobTitle?: string | null;
  /** The user document's revision (UserDoc.rev) the entry was taken from: a newer one wins. */
  rev: number;
}

/** A removed user: kept so that an older write of it, appended late, does not bring it back. */
export interface Tombstone {
  id: string;
  rev: number;
  removed: true;
}

export type IndexRecord = IndexEntry | Tombstone;
export const isTombstone = (r: IndexRecord): r is Tombstone => (r as Tombstone).removed === true;

/** The keys a user is sorted and searched by, as its document and its index entry both hold them. */
export function userKeys(u: { id: string; displayName: string; userPrincipalName: string; department?: string | null; jobTitle?: string | null }) {
  return {
    /** Folded display name + id: a total order for keyset paging (no OFFSET in the emulator). */
    sortKey: `${fold(u.displayName)}\u0001${u.id}`,
    search: fold([u.displayName, u.userPrincipalName, u.department ?? '', u.jobTitle ?? ''].join(' ')),
    departmentKey: fold(u.department ?? ''),
  };
}

/** The index's entry for a user's fields. */
export function indexEntry(u: Pick<IndexEntry, 'id' | 'displayName' | 'userPrincipalName' | 'mail' | 'usageLocation' | 'accountEnabled' | 'department' | 'jobTitle' | 'skuIds'> & { rev?: number }): IndexEntry {
  return {
    id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, mail: u.mail ?? null,
    department: u.department ?? null, jobTitle: u.jobTitle ?? null, usageLocation: u.usageLocation ?? null, accountEnabled: u.accountEnabled ?? null,
    skuIds: u.skuIds, rev: u.rev ?? 0,
    ...userKeys(u),
  };
}

/** What name resolution needs of an entry. */
export const nameOf = ({ id, displayName, userPrincipalName, mail }: IndexEntry): NamedEntry => ({ id, displayName, userPrincipalName, mail });

const byKey = (a: IndexEntry, b: IndexEntry) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0);
/** More changes than this at once: sort everything again instead of moving entries one by one. */
const RESORT_FROM = 2000;

export class PageIndex {
  /** Sorted by sortKey; live users only. */
  private sorted: IndexEntry[];
  private readonly records = new Map<string, IndexRecord>();

  constructor(records: Iterable<IndexRecord>) {
    for (const r of records) this.take(r);
    this.sorted = [...this.records.values()].filter((r): r is IndexEntry => !isTombstone(r)).sort(byKey);
  }

  get entries(): readonly IndexEntry[] {
    return this.sorted;
  }

  /** Every record, removed users included: what a new base of the index is written from. */
  all(): IndexRecord[] {
    return [...this.records.values()];
  }

  /** Applies records newer than (or as new as) what the index holds; returns how many changed it. */
  apply(records: IndexRecord[]): number {
    const changed: { before?: IndexEntry; after?: IndexEntry }[] = [];
    for (const r of records) {
      const before = this.records.get(r.id);
      if (!this.take(r)) continue;
      changed.push({ before: before && !isTombstone(before) ? before : undefined, after: isTombstone(r) ? undefined : r });
    }
    if (changed.length >= RESORT_FROM) this.sorted = [...this.records.values()].filter((r): r is IndexEntry => !isTombstone(r)).sort(byKey);
    else for (const { before, after } of changed) this.move(before, after);
    return changed.length;
  }

  private take(r: IndexRecord): boolean {
    const held = this.records.get(r.id);
    if (held && held.rev > r.rev) return false;
    this.records.set(r.id, r);
    return true;
  }

  private move(before: IndexEntry | undefined, after: IndexEntry | undefined): void {
    if (before) {
      const at = firstAfter(this.sorted, before.sortKey, true);
      if (this.sorted[at]?.id === before.id) this.sorted.splice(at, 1);
    }
    if (after) this.sorted.splice(firstAfter(this.sorted, after.sortKey, true), 0, after);
  }

  /** The selected users known here, in sort-key order, holders per product, and the first names to show. */
  selection(selected: { has(id: string): boolean }): SelectionSummary {
    const ids: string[] = [];
    const firstNames: string[] = [];
    const holders: Record<string, number> = {};
    for (const e of this.sorted) {
      if (!selected.has(e.id)) continue;
      ids.push(e.id);
      if (firstNames.length < FIRST_NAMES_SHOWN) firstNames.push(e.displayName);
      for (const skuId of e.skuIds) holders[skuId] = (holders[skuId] ?? 0) + 1;
    }
    return { ids, holders, firstNames };
  }

  /** The entries matching a filter, in sort-key order: the same rules as the directory's WHERE clause. */
  matching(filter: UserFilter): readonly IndexEntry[] {
    const text = filter.text ? fold(filter.text) : undefined;
    const dept = filter.department ? fold(filter.department) : undefined;
    const location = filter.usageLocation?.toUpperCase();
    if (!text && !dept && !filter.skuId && !filter.lacksSkuId && !location && filter.accountEnabled === undefined) return this.sorted;
    return this.sorted.filter(
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
export function firstAfter(entries: readonly IndexEntry[], key: string, inclusive = false): number {
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
export function pageOf(matching: readonly IndexEntry[], move: 'first' | 'next' | 'previous' | 'last', anchor: { firstKey?: string; lastKey?: string } | undefined, pageSize: number): IndexPage {
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
