// The page index kept as documents beside the users (domain/store/user-index-store.ts): another process
// sees a change without reading every user, an older write appended late never wins, a compaction
// keeps every entry, an import's first page needs no query, and a broken index falls back to the users.
import { bigTenant } from '../../bench/big-tenant';
import { importDataset, type Dataset } from '../../domain/dataset';
import { openCosmos, RequestMeter, type CosmosStore } from '../../domain/store/cosmos';
import { DirectoryRepository, type UserDoc } from '../../domain/store/directory';
import { indexEntry, type IndexRecord } from '../../domain/store/page-index';
import { COMPACT_AFTER_PAGES, JOURNAL_PAGE_ROWS, journalPageId, MANIFEST_ID, type ManifestDoc } from '../../domain/store/user-index-store';
import { ALEX, SKU } from '../support/demo';
import { closeStores, demoDataset, emptyStore, emulatorEndpoint, serviceOn } from '../support/store';
import { crashingAfter, SimulatedCrash } from '../support/crash';
import { cosmosBackends } from '../../domain/store/backends';
import { LicenseService } from '../../domain/service';
import { readUsersById } from '../../domain/store/users-by-id';

jest.setTimeout(180_000);

const seconds: CosmosStore[] = [];
afterAll(async () => {
  await Promise.all(seconds.map((s) => s.close()));
  await closeStores();
});

/** Another process on the same database: its own client, its own request meter, its own repository. */
async function secondProcess(store: CosmosStore) {
  const meter = new RequestMeter();
  const other = await openCosmos({ endpoint: await emulatorEndpoint(), key: 'test', database: store.database.id, meter });
  seconds.push(other);
  const queries = () => [...meter.byKind].filter(([kind]) => kind === 'query directory').reduce((n, [, v]) => n + v, 0);
  const requests = (kind: string) => meter.byKind.get(kind) ?? 0;
  return { repository: new DirectoryRepository(other.containers.directory), queries, requests, store: other };
}

async function imported(users = 300): Promise<{ store: CosmosStore; data: Dataset }> {
  const data = bigTenant(await demoDataset(), users);
  const store = await emptyStore();
  await importDataset(store, data);
  return { store, data };
}

const manifestOf = (store: CosmosStore) => new DirectoryRepository(store.containers.directory).doc<ManifestDoc>('bigcorp', MANIFEST_ID);

test('after an import, the first page of a new process reads the index by id: no query over the users', async () => {
  const { store, data } = await imported();
  const other = await secondProcess(store);
  const page = await other.repository.page('bigcorp', {}, 'first');
  expect(page.total).toBe(data.customers[0].users.length);
  expect(await other.repository.count('bigcorp', { department: 'Finance' })).toBe(data.customers[0].users.filter((u) => u.department === 'Finance').length);
  expect(other.queries()).toBe(0);
});

test('a license change shows in the filters and counts of another process, without a query', async () => {
  const { store, data } = await imported();
  const other = await secondProcess(store);
  const before = await other.repository.count('bigcorp', { skuId: SKU.VISIO });
  const target = data.customers[0].users.filter((u) => u.usageLocation).slice(0, 5).map((u) => u.id);
  const result = await serviceOn(store, { chunkSize: 2 }).apply({ customerKey: 'bigcorp', userIds: target, requestedBy: ALEX, idempotencyKey: `visio-${Date.now()}`, mode: 'add', licensesToAssign: [{ skuId: SKU.VISIO, disabledPlans: [] }] });
  expect(result.counts.succeeded).toBe(5);
  expect(await other.repository.count('bigcorp', { skuId: SKU.VISIO })).toBe(before + 5);
  expect(await other.repository.idsMatching('bigcorp', { skuId: SKU.VISIO })).toEqual(expect.arrayContaining(target));
  expect((await other.repository.selectionSummary('bigcorp', new Set(target))).holders[SKU.VISIO]).toBe(5);
  expect(other.queries()).toBe(0);
});

test('a write appended late with an older revision does not override a newer one; a removed user stays removed', async () => {
  const { store, data } = await imported();
  const writer = new DirectoryRepository(store.containers.directory);
  const [first, second] = data.customers[0].users;
  const current = (await writer.user('bigcorp', first.id))!;
  const older = indexEntry({ ...current, displayName: 'Stale Name', rev: (current.rev ?? 0) - 1 });
  const newer = indexEntry({ ...current, displayName: 'Fresh Name', rev: (current.rev ?? 0) + 1 });
  await writer.index.store.append('bigcorp', [newer]);
  await writer.index.store.append('bigcorp', [older]);
  const removedRev = Date.now() + 60_000;
  await writer.index.store.append('bigcorp', [{ id: second.id, rev: removedRev, removed: true }]);
  await writer.index.store.append('bigcorp', [indexEntry({ ...(await writer.user('bigcorp', second.id))!, rev: removedRev - 1 })]);
  const other = await secondProcess(store);
  const names = (await other.repository.nameEntries('bigcorp')).map((e) => e.displayName);
  expect(names).toContain('Fresh Name');
  expect(names).not.toContain('Stale Name');
  expect((await other.repository.nameEntries('bigcorp')).map((e) => e.id)).not.toContain(second.id);
  expect(await other.repository.count('bigcorp')).toBe(data.customers[0].users.length - 1);
});

test('a compaction writes a new generation that keeps every entry, and a process on the old one follows', async () => {
  const { store, data } = await imported(50);
  const writer = new DirectoryRepository(store.containers.directory);
  const reader = await secondProcess(store);
  expect(await reader.repository.count('bigcorp')).toBe(50);
  const generation = (await manifestOf(store))!.generation;
  // Users the journal alone knows (no documents needed for the index): enough pages for a compaction.
  const extra = (n: number, from: number): IndexRecord[] =>
    Array.from({ length: n }, (_, i) => indexEntry({ id: `extra-${from + i}`, displayName: `Extra ${from + i}`, userPrincipalName: `extra${from + i}@bigcorp.test`, department: 'Finance', skuIds: [SKU.VISIO], rev: 1 }));
  const total = COMPACT_AFTER_PAGES * JOURNAL_PAGE_ROWS + 10;
  for (let i = 0; i < total; i += 2500) await writer.index.store.append('bigcorp', extra(Math.min(2500, total - i), i));
  const compacted = (await manifestOf(store))!;
  expect(compacted.generation).not.toBe(generation);
  expect(compacted.from.page).toBeGreaterThanOrEqual(COMPACT_AFTER_PAGES);
  const finance = data.customers[0].users.filter((u) => u.department === 'Finance').length + total;
  expect(await reader.repository.count('bigcorp')).toBe(50 + total);
  expect(await reader.repository.count('bigcorp', { department: 'Finance' })).toBe(finance);
  const cold = await secondProcess(store);
  expect(await cold.repository.count('bigcorp', { skuId: SKU.VISIO })).toBe(data.customers[0].users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.VISIO)).length + total);
  expect(reader.queries() + cold.queries()).toBe(0);
  // The old generation's shards are gone; the journal pages before the previous base are kept until the next one.
  expect(await writer.doc('bigcorp', `userindex:${generation}:0`)).toBeUndefined();
  expect(await writer.doc('bigcorp', journalPageId(0))).toBeDefined();
});

test('a missing shard or no index at all (data from before it): built from the users once, then stored', async () => {
  const { store, data } = await imported();
  const manifest = (await manifestOf(store))!;
  await store.containers.directory.item(`userindex:${manifest.generation}:0`, 'bigcorp').delete();
  const other = await secondProcess(store);
  expect(await other.repository.count('bigcorp')).toBe(data.customers[0].users.length);
  expect(other.queries()).toBe(1);
  expect((await manifestOf(store))!.generation).not.toBe(manifest.generation);
  await store.containers.directory.item(MANIFEST_ID, 'bigcorp').delete();
  const third = await secondProcess(store);
  expect(await third.repository.count('bigcorp', { department: 'Sales' })).toBe(data.customers[0].users.filter((u) => u.department === 'Sales').length);
  expect(third.queries()).toBe(1);
  expect(await (await secondProcess(store)).repository.count('bigcorp')).toBe(data.customers[0].users.length);
});

test('a process that dies between its user writes and the journal: the takeover appends them, the index is right', async () => {
  const { store, data } = await imported(40);
  const located = data.customers[0].users.filter((u) => u.usageLocation).slice(0, 6).map((u) => u.id);
  const req = { customerKey: 'bigcorp', userIds: located, requestedBy: ALEX, idempotencyKey: `crash-${Date.now()}`, mode: 'add' as const, licensesToAssign: [{ skuId: SKU.VISIO, disabledPlans: [] }] };
  // The dying process writes 4 users of the chunk of 6, and never its journal append.
  await expect(new LicenseService(crashingAfter(cosmosBackends(store), 4), { chunkSize: 6, concurrency: 1 }).apply(req)).rejects.toBeInstanceOf(SimulatedCrash);
  const restarted = serviceOn(store, { chunkSize: 6, staleAfterMs: 0 });
  expect(await restarted.recoverInterrupted({ staleAfterMs: 0 })).toBe(1);
  const other = await secondProcess(store);
  expect(new Set(await other.repository.idsMatching('bigcorp', { skuId: SKU.VISIO }))).toEqual(
    new Set([...data.customers[0].users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.VISIO)).map((u) => u.id), ...located]),
  );
});

test('a large customer is read by id 100 users to a request; a user removed since is simply absent', async () => {
  const { store, data } = await imported(250);
  const other = await secondProcess(store);
  const ids = data.customers[0].users.map((u) => u.id);
  await store.containers.directory.item(ids[7], 'bigcorp').delete();
  const wanted = [...ids, 'no-such-user', 'summary:directory'];
  // As for a customer of more than 20,000 users (the population is passed in): batches of reads, no query.
  const found = await readUsersById<UserDoc>(other.store.containers.directory, 'bigcorp', wanted, '*', 100_000);
  expect([...found.keys()].sort()).toEqual(ids.filter((id) => id !== ids[7]).sort());
  expect(found.get(ids[3])?._etag).toBeTruthy();
  expect(other.queries()).toBe(0);
  // 3 batches; the one that met the removed user stopped there (a batch is all or nothing) and the rest of it was read one by one.
  expect(other.requests('batch directory')).toBe(3);
  expect(other.requests('read directory')).toBeLessThan(100);
});
