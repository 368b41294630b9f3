// A change of more users than fit inside its operation's document (over 20,000 in production; here the
// bounds are made small so a few hundred users exercise the same code): the ids go to documents of
// their own, the runner reads each chunk's ids from them, a crash is resumed and a replay changes nothing.
import { bigTenant } from '../../bench/big-tenant';
import { LicenseService } from '../../domain/service';
import { cosmosBackends } from '../../domain/store/backends';
import { queryAll } from '../../domain/store/cosmos';
import { OperationRepository, type OperationDoc } from '../../domain/store/operations';
import { SimulatedCrash, crashingAfter } from '../support/crash';
import { ALEX, SKU, expectSeatInvariant, request } from '../support/demo';
import { closeStores, demoDataset, demoService, directoryOf } from '../support/store';

afterAll(closeStores);
jest.setTimeout(120_000);

const SMALL = { inlineUserIds: 50, idsPerDoc: 40 };

test('a request over the inline bound keeps its ids apart, is resumed after a crash from them, and replays', async () => {
  const data = bigTenant(await demoDataset(), 230);
  const { store } = await demoService({}, data);
  const backends = () => ({ ...cosmosBackends(store), operations: new OperationRepository(store.containers.operations, SMALL) });
  const ids = data.customers[0].users.map((u) => u.id);
  expect(ids.length).toBe(230);
  const req = request({ customerKey: 'bigcorp', userIds: ids, licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] });

  // The process dies after 30 users were written (chunks of 20: past the first id document of 40).
  const dying = new LicenseService(crashingAfter(backends(), 30), { chunkSize: 20 });
  await expect(dying.apply(req)).rejects.toBeInstanceOf(SimulatedCrash);

  const [header] = await queryAll<OperationDoc>(store.containers.operations, 'SELECT * FROM c WHERE c.customerId = "bigcorp" AND c.type = "operation"', []);
  expect(header.request.userIds).toEqual([]);
  expect(header.userCount).toBe(230);
  expect(header.userIdDocs).toMatchObject({ docs: 6, idsPerDoc: 40 });
  expect(header.completedChunks).toBeLessThan(header.chunkCount);
  const parts = await queryAll<{ userIds: string[]; part: number }>(store.containers.operations, 'SELECT c.userIds, c.part FROM c WHERE c.customerId = "bigcorp" AND c.type = "operationUserIds"', []);
  expect(parts.sort((a, b) => a.part - b.part).flatMap((p) => p.userIds)).toEqual(ids);

  // Another process takes it over, reading each chunk's ids from their documents.
  const restarted = new LicenseService(backends(), { chunkSize: 20 });
  expect(await restarted.recoverInterrupted({ staleAfterMs: 0 })).toBe(1);
  const result = await restarted.apply(req);
  expect(result.replayed).toBe(true);
  expect(result.status).toBe('completed');
  expect(result.results.map((r) => r.userId)).toEqual(ids);
  const heldBefore = data.customers[0].users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.E3)).length;
  const holders = await directoryOf(store).holders('bigcorp', SKU.E3);
  expect(holders).toBe(heldBefore + result.counts.succeeded);
  expect(result.counts.succeeded).toBeGreaterThan(30);
  await expectSeatInvariant(store, 'bigcorp');

  // The same key again: the recorded result, nothing written.
  const again = await new LicenseService(backends(), { chunkSize: 20 }).apply(req);
  expect(again.replayed).toBe(true);
  expect(again.counts).toEqual(result.counts);
  expect(await directoryOf(store).holders('bigcorp', SKU.E3)).toBe(holders);

  // The history counts the users although the header holds no ids.
  const page = await restarted.historyPage(ALEX, 'bigcorp', 5);
  expect(page.operations[0].userCount).toBe(230);
});
