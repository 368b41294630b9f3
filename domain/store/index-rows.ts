// How page-index records are stored: compact arrays instead of objects (a 100,000-user index is ~17 MB
// this way, ~45 MB as objects), product ids numbered per document. The keys an entry is searched and
// sorted by are derived again when it is read (page-index.ts indexEntry), so they cannot drift.
import { indexEntry, isTombstone, type IndexRecord } from './page-index';

/** A live user: [id, rev, displayName, upn, mail, department, jobTitle, usageLocation, enabled (1/0/null), product numbers]. */
type EntryRow = [string, number, string, string, string | null, string | null, string | null, string | null, 0 | 1 | null, number[]];
/** A removed user: [id, rev]. */
type TombstoneRow = [string, number];
export type IndexRow = EntryRow | TombstoneRow;

/** Records as stored in one document: its product ids once, the rows numbering them. */
export interface EncodedRows {
  skus: string[];
  rows: IndexRow[];
}

export function encodeRows(records: IndexRecord[], into: EncodedRows = { skus: [], rows: [] }): EncodedRows {
  const numbers = new Map(into.skus.map((s, i) => [s, i]));
  const number = (skuId: string) => {
    let n = numbers.get(skuId);
    if (n === undefined) {
      n = into.skus.push(skuId) - 1;
      numbers.set(skuId, n);
    }
    return n;
  };
  for (const r of records) {
    if (isTombstone(r)) {
      into.rows.push([r.id, r.rev]);
      continue;
    }
    const enabled = r.accountEnabled === true ? 1 : r.accountEnabled === false ? 0 : null;
    into.rows.push([r.id, r.rev, r.displayName, r.userPrincipalName, r.mail ?? null, r.department ?? null, r.jobTitle ?? null, r.usageLocation ?? null, enabled, r.skuIds.map(number)]);
  }
  return into;
}

export function decodeRows({ skus, rows }: EncodedRows): IndexRecord[] {
  return rows.map((row) => {
    if (row.length === 2) return { id: row[0], rev: row[1], removed: true as const };
    const [id, rev, displayName, userPrincipalName, mail, department, jobTitle, usageLocation, enabled, numbers] = row;
    return indexEntry({ id, rev, displayName, userPrincipalName, mail, department, jobTitle, usageLocation, accountEnabled: enabled === null ? null : enabled === 1, skuIds: numbers.map((n) => skus[n]) });
  });
}

/** Rows of about `maxBytes` of JSON each (Cosmos DB's item limit is 2 MB; the index stays near half). */
export function splitRows(records: IndexRecord[], maxBytes: number): EncodedRows[] {
  const parts: EncodedRows[] = [];
  let part: EncodedRows = { skus: [], rows: [] };
  let bytes = 0;
  for (const r of records) {
    const before = part.rows.length;
    encodeRows([r], part);
    bytes += JSON.stringify(part.rows[before]).length + 1;
    if (bytes >= maxBytes) {
      parts.push(part);
      part = { skus: [], rows: [] };
      bytes = 0;
    }
  }
  if (part.rows.length) parts.push(part);
  return parts;
}
