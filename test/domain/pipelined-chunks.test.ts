// Chunks of one change in flight at once (RunnerOptions.chunksInFlight, the default for Cosmos DB): a
// stop lets every chunk in flight finish and be journalled, a failed chunk is never journalled past,
// and seats still go in request order when they are short, as one chunk after the other would give them.
import type { Dataset } from '../../domain/dataset';
import { licenseError } from '../../domain/errors';
import { LicenseService, type ServiceBackends } from '../../domain/service';
import { cosmosBackends } from '../../domain/store/backends';
import type { CosmosStore } from '../../domain/store/cosmos';
import { ALEX, SKU, expectSeatInvariant, request } from '../support/demo';
import { withUserWriteHook } from '../support/held-write';
import { refusingUsers } from '../support/refusing';
import { closeStores, demoDataset, demoService, directoryOf, serviceOn } from '../support/store';

let data: Dataset;
beforeAll(async () => {
  data = await demoDataset();
});
afterAll(closeStores);

const withoutSku = (skuId: string) => data.customers.find((c) => c.customer.key === 'contoso')!.users.filter((u) => u.usageLocation && !u.assignedLicenses.some((l) => l.skuId === skuId));

/** The store's directory, but the write of `userId` first waits for `until`, then does `then`. */
function holdingWrite(store: Pick<CosmosStore, 'containers'>, userId: string, until: Promise<unknown>, then: 'write' | 'throw', backends: ServiceBackends = cosmosBackends(store)) {
  let reached!: () => void;
  const atHold = new Promise<void>((r) => (reached = r));
  const directory = withUserWriteHook(backends.directory, userId, async (write) => {
    reached();
    await until;
    if (then === 'throw') throw new Error('this process failed writing a user');
    return write();
  });
  return { backends: { ...backends, directory }, atHold };
}

/** The demo data with `free` seats of Teams Phone left. */
function withFreePhones(free: number): Dataset {
  const copy = structuredClone(data);
  const sku = copy.customers[0].skus.find((s) => s.skuId === SKU.TEAMS_PHONE)!;
  sku.prepaidUnits.enabled = sku.consumedUnits + free;
  return copy;
}

async function marksOf(store: Pick<CosmosStore, 'containers'>, userIds: string[], operationId: string) {
  return Promise.all(userIds.map(async (id) => (await directoryOf(store).user('contoso', id))!.licenseChanges.filter((m) => m.operationId === operationId).length));
}

test('a stop with two chunks in flight lets both finish and be journalled, lets go of the lease, and the next instance finishes exactly', async () => {
  const { store } = await demoService({}, withFreePhones(50));
  const users = withoutSku(SKU.TEAMS_PHONE).slice(0, 10).map((u) => u.id);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const a = holdingWrite(store, users[1], released, 'write'); // inside chunk 0
  const instanceA = new LicenseService(a.backends, { chunkSize: 3, chunksInFlight: 2 });
  const applying = instanceA.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] })).catch((e) => e);
  await a.atHold;
  // Chunk 1 is in flight beside the held chunk 0 and writes its users.
  const [op] = await instanceA.history(ALEX, 'contoso');
  while ((await marksOf(store, users.slice(3, 6), op.operationId)).some((n) => n === 0)) await new Promise((r) => setTimeout(r, 20));
  const stopping = instanceA.stop();
  release();
  await stopping;
  expect(await applying).toMatchObject({ code: 'stopping' });
  const stored = (await cosmosBackends(store).operations.get('contoso', op.operationId))!;
  expect(stored).toMatchObject({ status: 'running', completedChunks: 2, counts: { succeeded: 6 }, heartbeatAt: new Date(0).toISOString() });
  expect(await marksOf(store, users.slice(6), op.operationId)).toEqual([0, 0, 0, 0]); // chunk 2 never started
  await expectSeatInvariant(store);

  const next = serviceOn(store, { chunkSize: 3 });
  expect(await next.recoverInterrupted()).toBe(1);
  expect((await next.operation(ALEX, 'contoso', op.operationId))!.counts).toEqual({ succeeded: 10, failed: 0, noChange: 0 });
  expect(await marksOf(store, users, op.operationId)).toEqual(users.map(() => 1));
  await expectSeatInvariant(store);
});

test('a chunk that fails is never journalled past: a later chunk that finished is saved, and recovery uses it without writing its users again', async () => {
  const { store } = await demoService({}, withFreePhones(50));
  const users = withoutSku(SKU.TEAMS_PHONE).slice(0, 6).map((u) => u.id);
  let laterChunkDone!: () => void;
  const done = new Promise<void>((r) => (laterChunkDone = r));
  const a = holdingWrite(store, users[1], done, 'throw'); // chunk 0 fails once chunk 1 is written
  const instanceA = new LicenseService(a.backends, { chunkSize: 3, chunksInFlight: 2 });
  const req = request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] });
  const applying = instanceA.apply(req).catch((e) => e);
  await a.atHold;
  const [op] = await instanceA.history(ALEX, 'contoso');
  const operations = cosmosBackends(store).operations;
  while (!(await operations.chunk((await operations.get('contoso', op.operationId))!, 1))) await new Promise((r) => setTimeout(r, 20));
  laterChunkDone();
  expect(await applying).toMatchObject({ message: 'this process failed writing a user' });

  const stored = (await operations.get('contoso', op.operationId))!;
  expect(stored).toMatchObject({ status: 'running', completedChunks: 0 });
  const etagsOfChunk1 = await Promise.all(users.slice(3).map(async (id) => (await directoryOf(store).user('contoso', id))!._etag));

  const next = serviceOn(store, { chunkSize: 3 });
  expect(await next.recoverInterrupted({ staleAfterMs: 0 })).toBe(1);
  const result = (await next.operation(ALEX, 'contoso', op.operationId))!;
  expect(result).toMatchObject({ status: 'completed', counts: { succeeded: 6, failed: 0, noChange: 0 } });
  expect(result.results.map((r) => r.userId)).toEqual(users);
  expect(await Promise.all(users.slice(3).map(async (id) => (await directoryOf(store).user('contoso', id))!._etag))).toEqual(etagsOfChunk1);
  expect(await marksOf(store, users, op.operationId)).toEqual(users.map(() => 1));
  await expectSeatInvariant(store);
});

test('short of seats with chunks in flight: seats go in request order, and a seat given back by an earlier chunk goes to the next user', async () => {
  const { store } = await demoService({}, withFreePhones(5));
  const users = withoutSku(SKU.TEAMS_PHONE).slice(0, 10).map((u) => u.id);
  const refusal = licenseError('mutuallyExclusiveViolation', { first: 'A', second: 'B' }, SKU.TEAMS_PHONE);
  // Chunk 0's second write takes a while, so later chunks are ready to take seats before it settles.
  const refusing = refusingUsers(cosmosBackends(store), new Set([users[0]]), refusal);
  const slow = holdingWrite({ containers: store.containers }, users[1], new Promise((r) => setTimeout(r, 300)), 'write', refusing);
  const service = new LicenseService(slow.backends, { chunkSize: 2, chunksInFlight: 3 });

  const result = await service.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] }));

  expect(result.results.map((r) => r.status)).toEqual(['failed', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'failed', 'failed', 'failed']);
  expect(result.results.map((r) => r.errors[0]?.code)).toEqual(['mutuallyExclusiveViolation', undefined, undefined, undefined, undefined, undefined, 'countViolation', 'countViolation', 'countViolation', 'countViolation']);
  await expectSeatInvariant(store);
});
