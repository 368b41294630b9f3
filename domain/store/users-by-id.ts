// Reading many users of one customer by id, the cheapest way for the size of the customer: on the
// emulator every query is a scan of the whole container, so a small customer is read with few queries
// and a large one by point reads only.
import type { Container } from '@azure/cosmos';
import { mapLimit, queryAll, readItem, withRetry } from './cosmos';

/** What is read: a document of the directory container; users are those of type "user" (UserDoc). */
interface Doc {
  id: string;
  type?: string;
}

/**
 * From this many ids on, reading the whole partition once is cheaper than id-list queries. On the
 * emulator (every query a scan of the container; 10,000 users): one query for 1,000 ids costs about
 * half a scan of everyone, ten of 100 ids each 2.5 scans, 1,000 point reads 1.5 — and a scan also
 * carries all 10,000 documents to the bot (Manage licenses with 1,000 selected held them all).
 */
export const SCAN_THRESHOLD = 2000;
/** Up to this many ids, batches of reads (a page of the selected users, one user read again); more, id-list queries. */
const BATCH_READS_UP_TO = 50;
/**
 * Customers larger than this are read by point reads only: at 100,000 users (emulator in its own
 * process, load 4.5) one id-list query for 100 ids had not answered after 5 minutes, while 2,000
 * point reads took 1.6 s, 32 at a time; a scan for 20,000 of them carries all 100,000 documents.
 */
export const QUERIES_UP_TO_USERS = 20_000;
/** Reads per transactional batch (Cosmos DB's limit is 100 operations). */
const READS_PER_BATCH = 100;
/** Ids per id-list query (ARRAY_CONTAINS over a parameter: 1,000 ids are about 40 KB of the 512 KB a query may have). */
const IDS_PER_QUERY = 1000;

/** `population`: how many users the customer has (the page index's count); `select`: the fields, or "*". */
export async function readUsersById<UserDoc extends Doc>(container: Container, customerId: string, ids: string[], select: string, population: number): Promise<Map<string, UserDoc>> {
  // Lookups, 100 to a request: on the emulator an id-list query is a scan of the container (0.2 s of its
  // CPU at 10,000 users).
  if (ids.length <= BATCH_READS_UP_TO || population > QUERIES_UP_TO_USERS) return readInBatches<UserDoc>(container, customerId, ids);
  if (ids.length >= SCAN_THRESHOLD) {
    const wanted = new Set(ids);
    const found = new Map<string, UserDoc>();
    const iterator = container.items.query<UserDoc>(
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
    queryAll<UserDoc>(container, `SELECT ${select} FROM c WHERE c.customerId = @c AND c.type = "user" AND ARRAY_CONTAINS(@ids, c.id)`, [
      { name: '@c', value: customerId },
      { name: '@ids', value: chunk },
    ]),
  );
  return new Map(found.flat().map((u) => [u.id, u]));
}

/**
 * Point reads, 100 to a request: a transactional batch of Read operations on the customer's partition.
 * Each read costs what a point read does (RU), but the request overhead is paid once per 100 — at
 * 100,000 users the preview and the run each read every user, and one request per user was most of
 * the bot's CPU. A batch stops at its first failure (a user deleted since: 404, the rest 424): those
 * are read one by one. https://learn.microsoft.com/azure/cosmos-db/nosql/transactional-batch
 */
export async function readInBatches<UserDoc extends Doc>(container: Container, customerId: string, ids: string[]): Promise<Map<string, UserDoc>> {
  const groups: string[][] = [];
  for (let i = 0; i < ids.length; i += READS_PER_BATCH) groups.push(ids.slice(i, i + READS_PER_BATCH));
  const found = new Map<string, UserDoc>();
  await mapLimit(groups, 4, async (group) => {
    let again = group;
    try {
      const { result } = await withRetry(() => container.items.batch(group.map((id) => ({ operationType: 'Read' as const, id, partitionKey: customerId })), customerId));
      again = [];
      group.forEach((id, k) => {
        const r = result?.[k];
        if (r?.statusCode === 200 && r.resourceBody) found.set(id, r.resourceBody as unknown as UserDoc);
        else if (r?.statusCode !== 404) again.push(id);
      });
    } catch {
      // The batch as a whole did not go through: each user on its own, with its own retries.
    }
    const read = await mapLimit(again, 16, (id) => readItem<UserDoc>(container, id, customerId));
    for (const u of read) if (u) found.set(u.id, u);
  });
  for (const [id, u] of found) if (u.type !== 'user') found.delete(id);
  return found;
}
