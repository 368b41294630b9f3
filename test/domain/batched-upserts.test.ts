// Many user documents of one customer written as Cosmos DB batches (the Graph mirror's fill and its
// writes after each $batch reply): every document lands, in a few requests instead of one each.
import { DirectoryRepository, toUserDoc } from '../../domain/store/directory';
import { closeStores, emptyStore } from '../support/store';
import type { CosmosStore } from '../../domain/store/cosmos';

let store: CosmosStore;
afterAll(closeStores);
beforeAll(async () => {
  store = await emptyStore();
});

const user = (i: number, note = '') => ({
  id: `user-${i}`, displayName: `Batch User ${i}${note}`, userPrincipalName: `batch.user${i}@contoso.example`, mail: null,
  givenName: null, surname: null, jobTitle: null, department: 'Sales', usageLocation: 'DE', country: null, accountEnabled: true,
  assignedLicenses: [],
});

test('250 users are written in three batch requests, and each reads back as written', async () => {
  const container = store.containers.directory;
  const repository = new DirectoryRepository(container);
  const batch = jest.spyOn(container.items, 'batch');
  const docs = Array.from({ length: 250 }, (_, i) => toUserDoc('contoso', user(i), []));
  expect(await repository.upsertMany('contoso', docs)).toEqual(docs.map(() => undefined));
  expect(batch).toHaveBeenCalledTimes(3);
  const read = await repository.usersById('contoso', docs.map((d) => d.id));
  expect(read.size).toBe(250);
  expect(read.get('user-249')?.displayName).toBe('Batch User 249');

  // Again, changed: upserts replace.
  const changed = docs.slice(0, 120).map((d, i) => toUserDoc('contoso', user(i, ' (moved)'), []));
  await repository.upsertMany('contoso', changed);
  expect((await repository.usersById('contoso', ['user-119'])).get('user-119')?.displayName).toBe('Batch User 119 (moved)');
  batch.mockRestore();
});

test('large documents are split by size, not only by count', async () => {
  const container = store.containers.directory;
  const repository = new DirectoryRepository(container);
  const batch = jest.spyOn(container.items, 'batch');
  // 30 documents of ~100 KB: at most 1 MB a batch, so at least three batches.
  const docs = Array.from({ length: 30 }, (_, i) => ({ ...toUserDoc('fabrikam', user(i), []), note: 'x'.repeat(100_000) }));
  expect(await repository.upsertMany('fabrikam', docs)).toEqual(docs.map(() => undefined));
  expect(batch.mock.calls.length).toBeGreaterThanOrEqual(3);
  for (const [ops] of batch.mock.calls) expect(JSON.stringify(ops).length).toBeLessThan(1_100_000);
  expect((await repository.usersById('fabrikam', docs.map((d) => d.id))).size).toBe(30);
  batch.mockRestore();
});

test('a document of another customer is refused before anything is written', async () => {
  const repository = new DirectoryRepository(store.containers.directory);
  await expect(repository.upsertMany('contoso', [toUserDoc('fabrikam', user(1000), [])])).rejects.toThrow(/not of customer contoso/);
  expect((await repository.usersById('fabrikam', ['user-1000'])).size).toBe(0);
});
