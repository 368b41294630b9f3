// Many documents of one customer written as upserts in transactional batches on its partition key
// (≤ 100 operations and ≤ 1 MB each, Cosmos DB's batch limits being 100 and 2 MB), a few batches at a
// time: one request instead of a hundred. A document whose upsert in the batch failed is written again
// on its own. Conditional replaces (a chunk's user writes) likewise.
// https://learn.microsoft.com/azure/cosmos-db/nosql/transactional-batch
import type { Container } from '@azure/cosmos';
import { mapLimit, stripDoc, withRetry } from './cosmos';

/** Cosmos DB's limits for a batch are 100 operations and 2 MB; License Desk stays at half the size. */
const MAX_BATCH_OPERATIONS = 100;
const MAX_BATCH_BYTES = 1_000_000;

/** Documents of one customer (their indexes) in groups within a batch's limits, in order. */
function batchGroups(customerId: string, docs: { id: string; customerId: string }[]): number[][] {
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
  return groups;
}

/** Per document, undefined or the error that stopped it. */
export async function upsertInBatches<T extends { id: string; customerId: string }>(container: Container, customerId: string, docs: T[]): Promise<(unknown | undefined)[]> {
  const errors: (unknown | undefined)[] = docs.map(() => undefined);
  const groups = batchGroups(customerId, docs);
  await mapLimit(groups, 4, async (group) => {
    let failed = group;
    try {
      const response = await withRetry(() =>
        container.items.batch(group.map((i) => ({ operationType: 'Upsert' as const, partitionKey: customerId, resourceBody: stripDoc(docs[i]) as never })), customerId),
      );
      const results = response.result ?? [];
      failed = group.filter((_, k) => !(results[k]?.statusCode >= 200 && results[k]?.statusCode < 300));
    } catch {
      // The batch as a whole did not go through: each document on its own, with its own retries.
    }
    await mapLimit(failed, 8, async (i) => {
      try {
        await withRetry(() => container.items.upsert(stripDoc(docs[i])));
      } catch (err) {
        errors[i] = err;
      }
    });
  });
  return errors;
}

/**
 * Documents replaced only if unchanged (IfMatch their `_etag`), in batches: per document the stored
 * one, or undefined where no batch came back all-200 — refused, or failed (which the emulator, having
 * no rollback, may have applied in part): the caller settles those one by one. `beforeWrite` (the lease
 * fence) runs right before each batch is sent; what it throws is thrown.
 */
export async function replaceInBatches<T extends { id: string; customerId: string; _etag?: string }>(container: Container, customerId: string, docs: T[], beforeWrite?: () => void): Promise<(T | undefined)[]> {
  const out: (T | undefined)[] = docs.map(() => undefined);
  for (const group of batchGroups(customerId, docs)) {
    const operations = group.map((i) => ({ operationType: 'Replace' as const, partitionKey: customerId, id: docs[i].id, ifMatch: docs[i]._etag!, resourceBody: stripDoc(docs[i]) as never }));
    beforeWrite?.();
    // Any failure of the request itself (the SDK wraps it in a plain Error, without its status, so a
    // 429 or a timeout cannot be told apart): not decided, each on its own, with its own retries.
    const results: { statusCode: number; eTag?: string; resourceBody?: unknown }[] | undefined = (await container.items.batch(operations, customerId).catch(() => undefined))?.result;
    if (!results) continue;
    if (results.length !== group.length || !results.every((r) => r.statusCode === 200 && (r.resourceBody || r.eTag))) continue;
    // The stored document (a service set to return no content on writes gives its ETag alone).
    group.forEach((i, k) => (out[i] = (results[k].resourceBody as T | undefined) ?? { ...docs[i], _etag: results[k].eTag }));
  }
  return out;
}
