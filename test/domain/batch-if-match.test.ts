// What the embedded emulator does with a transactional batch of conditional replaces (IfMatch): the
// batched user writes (CosmosDirectory.applyUserChanges) rely on a stale ETag being refused per
// operation, and must not rely on a failed batch being rolled back (the emulator applies the rest).
import { DirectoryRepository, toUserDoc, type UserDoc } from '../../domain/store/directory';
import { stripDoc } from '../../domain/store/cosmos';
import { closeStores, emptyStore } from '../support/store';
import type { CosmosStore } from '../../domain/store/cosmos';

let store: CosmosStore;
afterAll(closeStores);
beforeAll(async () => {
  store = await emptyStore();
});

const user = (i: number, department = 'Sales') => ({
  id: `user-${i}`, displayName: `Batch User ${i}`, userPrincipalName: `batch.user${i}@contoso.example`, mail: null,
  givenName: null, surname: null, jobTitle: null, department, usageLocation: 'DE', country: null, accountEnabled: true,
  assignedLicenses: [],
});

test('a replace with a stale ETag in a batch is refused with 412 and leaves that user as it was', async () => {
  const container = store.containers.directory;
  const repository = new DirectoryRepository(container);
  await repository.upsertMany('contoso', [0, 1, 2].map((i) => toUserDoc('contoso', user(i), [])));
  const read = await repository.usersById('contoso', ['user-0', 'user-1', 'user-2']);
  const stale = read.get('user-1')!;
  // Someone else changes user-1 after it was read.
  await container.item('user-1', 'contoso').replace(stripDoc({ ...stale, department: 'Elsewhere' }));

  const ops = [...read.values()].map((u: UserDoc) => ({
    operationType: 'Replace' as const, partitionKey: 'contoso', id: u.id, ifMatch: u._etag, resourceBody: stripDoc({ ...u, department: 'Batched' }) as never,
  }));
  const response = await container.items.batch(ops, 'contoso');
  // Per operation: the first applied (200, with its new ETag and body), the stale one refused (412),
  // the rest not tried (424).
  expect(response.result!.map((r) => r.statusCode)).toEqual([200, 412, 424]);
  expect(response.result![0].eTag).toBeTruthy();
  expect(response.result![1].eTag).toBeUndefined();

  const after = await repository.usersById('contoso', ['user-0', 'user-1', 'user-2']);
  expect(after.get('user-1')!.department).toBe('Elsewhere');
  expect(after.get('user-2')!.department).toBe('Sales');
  // No rollback on the emulator: user-0 stays written though the batch failed (real Cosmos DB would
  // undo it and answer 424). A writer must treat a failed batch's 200s as "maybe written".
  expect(after.get('user-0')!.department).toBe('Batched');
  expect(after.get('user-0')!._etag).toBe(response.result![0].eTag);
});
