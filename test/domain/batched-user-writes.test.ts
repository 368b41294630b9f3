// A chunk's users written as Cosmos DB transactional batches (CosmosDirectory.applyUserChanges), on
// the emulator, which does not roll a failed batch back: a user changed since it was read is decided
// again on its own, a batch that failed after being partly applied writes nobody twice, and a runner
// whose lease is gone sends no batch.
import type { Dataset } from '../../domain/dataset';
import type { CustomerDirectory, UserLicenseWrite } from '../../domain/directory-port';
import { LicenseService } from '../../domain/service';
import { cosmosBackends } from '../../domain/store/backends';
import { stripDoc, type CosmosStore } from '../../domain/store/cosmos';
import { SKU, expectSeatInvariant, request } from '../support/demo';
import { closeStores, demoDataset, demoService, directoryOf } from '../support/store';

jest.setTimeout(120_000);
let data: Dataset;
beforeAll(async () => {
  data = await demoDataset();
});
afterAll(closeStores);

const phoneless = () =>
  data.customers.find((c) => c.customer.key === 'contoso')!.users.filter((u) => u.usageLocation && !u.assignedLicenses.some((l) => l.skuId === SKU.TEAMS_PHONE));

/** The store's directory, with `before` run just before each batch of user writes is sent. */
function beforeEachBatch(store: Pick<CosmosStore, 'containers'>, before: (writes: UserLicenseWrite[], directory: CustomerDirectory) => Promise<void>) {
  const backends = cosmosBackends(store);
  const batches: number[] = [];
  const directory = new Proxy(backends.directory, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop !== 'applyUserChanges') return typeof value === 'function' ? value.bind(target) : value;
      return async (writes: UserLicenseWrite[]) => {
        batches.push(writes.length);
        await before(writes, target);
        return target.applyUserChanges(writes as never);
      };
    },
  }) satisfies CustomerDirectory;
  return { backends: { ...backends, directory }, batches };
}

async function marksOf(store: Pick<CosmosStore, 'containers'>, ids: string[], operationId: string) {
  const users = await directoryOf(store).usersById('contoso', ids);
  return ids.map((id) => users.get(id)!.licenseChanges.filter((m) => m.operationId === operationId).length);
}

test('a user changed by someone else after the chunk read it is decided again on its own; the others are written once', async () => {
  const { store } = await demoService();
  const ids = phoneless().slice(0, 6).map((u) => u.id);
  const changed = ids[5];
  const { backends, batches } = beforeEachBatch(store, async () => {
    // Someone moves the last user of the chunk to another department meanwhile.
    const repo = directoryOf(store);
    const u = (await repo.user('contoso', changed))!;
    await store.containers.directory.item(changed, 'contoso').replace(stripDoc({ ...u, department: 'Moved meanwhile' }));
  });
  const result = await new LicenseService(backends, { chunkSize: 6 }).apply(request({ userIds: ids, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] }));

  expect(batches).toEqual([6]);
  expect(result.counts).toEqual({ succeeded: 6, noChange: 0, failed: 0 });
  const after = await directoryOf(store).usersById('contoso', ids);
  for (const id of ids) expect(after.get(id)!.assignedLicenses.map((l) => l.skuId)).toContain(SKU.TEAMS_PHONE);
  // The other change is kept: the license was written on the user as it is now, not as first read.
  expect(after.get(changed)!.department).toBe('Moved meanwhile');
  expect(await marksOf(store, ids, result.operationId)).toEqual(ids.map(() => 1));
  await expectSeatInvariant(store);
});

test('a batch that failed after the emulator applied part of it: nobody is written twice, counts and seats are right', async () => {
  const { store } = await demoService();
  const ids = phoneless().slice(0, 6).map((u) => u.id);
  const { backends, batches } = beforeEachBatch(store, async (writes, directory) => {
    // The fourth user's write is made first with the very same mark (as a repeat after a lost reply
    // would have made it): the batch meets 412 there, after the emulator applied the three before it.
    await directory.applyUserChange(writes[3]);
  });
  const result = await new LicenseService(backends, { chunkSize: 6 }).apply(request({ userIds: ids, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] }));

  expect(batches).toEqual([6]);
  expect(result.counts).toEqual({ succeeded: 6, noChange: 0, failed: 0 });
  expect(await marksOf(store, ids, result.operationId)).toEqual(ids.map(() => 1));
  const after = await directoryOf(store).usersById('contoso', ids);
  for (const id of ids) expect(after.get(id)!.assignedLicenses.filter((l) => l.skuId === SKU.TEAMS_PHONE)).toHaveLength(1);
  const book = await expectSeatInvariant(store);
  expect(book[SKU.TEAMS_PHONE].reservations).toBe(0);
});

test('a runner whose lease is gone sends no batch: nobody is written', async () => {
  const { store } = await demoService();
  const ids = phoneless().slice(0, 5).map((u) => u.id);
  const directory = cosmosBackends(store).directory;
  const users = await directory.usersById('contoso', ids);
  const lost = () => {
    throw new Error('lease lost');
  };
  const writes = ids.map((id) => ({
    customerId: 'contoso', user: users.get(id)!, fence: lost,
    mark: { operationId: 'op-fenced', reservationKey: 'op-fenced:0:1', added: [SKU.TEAMS_PHONE], removed: [], updated: [], before: [], after: [{ skuId: SKU.TEAMS_PHONE, disabledPlans: [] }], at: new Date().toISOString() },
  }));
  await expect(directory.applyUserChanges(writes)).rejects.toThrow('lease lost');
  const after = await directory.usersById('contoso', ids);
  for (const id of ids) expect(after.get(id)!._etag).toBe(users.get(id)!._etag);
});
