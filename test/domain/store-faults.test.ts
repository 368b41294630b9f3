// Cosmos DB faults between the bot and the store (issue 10, finding 7), through a real HTTP proxy on
// loopback (test/support/fault-proxy.ts): lost replies after the write ran (503 or a reset), 429 with
// retry-after, 503, resets and stalls past the client's timeout. A change keeps making progress and
// finishes: seats equal holders, every user changed whole and once, or untouched. Seeded; bounded.
// `npm run faults` runs the same at 500 users with 5 s stalls, and SIGKILLs (README "Reliability").
import { bigTenant } from '../../bench/big-tenant';
import { importDataset, type Dataset } from '../../domain/dataset';
import { openCosmos, type CosmosStore } from '../../domain/store/cosmos';
import { ALEX, expectSeatInvariant, request } from '../support/demo';
import { startFaultProxy, type FaultPlan, type FaultProxy } from '../support/fault-proxy';
import { demoDataset, directoryOf, serviceOn } from '../support/store';

jest.setTimeout(240_000);

let proxy: FaultProxy;
let data: Dataset;
const open: CosmosStore[] = [];
beforeAll(async () => {
  proxy = await startFaultProxy();
  data = bigTenant(await demoDataset(), 120);
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await proxy.stop();
});

let counter = 0;
async function storeBehindProxy(): Promise<CosmosStore> {
  proxy.setPlan(undefined);
  // A stalled request is given up after 1 s and retried (the stalls below last 1.5 s).
  const store = await openCosmos({ endpoint: proxy.endpoint, key: 'test', database: `faults-${++counter}`, requestTimeoutMs: 1_000 });
  open.push(store);
  await importDataset(store, data);
  return store;
}

const users = () => data.customers[0].users;
const pbi = () => data.customers[0].skus.find((s) => s.skuPartNumber === 'POWER_BI_PRO')!.skuId;

/** Each user either carries exactly one mark of the operation and holds what it says, or is as imported. */
async function expectEachUserWholeOrUntouched(store: CosmosStore, operationId: string, succeeded: Set<string>) {
  const stored = await directoryOf(store).usersById('bigcorp', users().map((u) => u.id));
  const byLicenses = (l: { skuId: string }[]) => l.map((x) => x.skuId).sort();
  for (const original of users()) {
    const now = stored.get(original.id)!;
    const marks = now.licenseChanges.filter((m) => m.operationId === operationId);
    expect(marks.length).toBeLessThanOrEqual(1);
    if (marks.length) {
      expect(byLicenses(now.assignedLicenses)).toEqual(byLicenses(marks[0].after));
      expect(succeeded.has(original.id)).toBe(true);
    } else {
      expect(byLicenses(now.assignedLicenses)).toEqual(byLicenses(original.assignedLicenses));
      expect(succeeded.has(original.id)).toBe(false);
    }
  }
}

async function changeUnder(plan: FaultPlan) {
  const store = await storeBehindProxy();
  const service = serviceOn(store, { chunkSize: 20 });
  const req = request({ customerKey: 'bigcorp', userIds: users().slice(0, 100).map((u) => u.id), licensesToAssign: [{ skuId: pbi() }] });
  const predicted = await service.preview(req);
  proxy.setPlan(plan);
  const before = proxy.counts();
  const result = await service.apply(req);
  const after = proxy.counts();
  proxy.setPlan(undefined);
  const injected = Object.entries(after).filter(([k]) => k !== 'requests').reduce((n, [k, v]) => n + v - before[k as keyof typeof before], 0);
  expect(result.status).toBe('completed');
  expect(result.counts).toEqual(predicted.counts);
  await expectSeatInvariant(store, 'bigcorp');
  await expectEachUserWholeOrUntouched(store, result.operationId, new Set(result.results.filter((r) => r.status === 'succeeded').map((r) => r.userId)));
  // The record says the same afterwards.
  expect((await service.operation(ALEX, 'bigcorp', result.operationId))!.counts).toEqual(predicted.counts);
  return { injected, requests: after.requests - before.requests };
}

test('10% lost replies (503 or a reset after the write ran): the change completes once, seats exact', async () => {
  const { injected, requests } = await changeUnder({ seed: 10, rates: { lostReply503: 0.05, lostReplyReset: 0.05 } });
  expect(injected).toBeGreaterThan(requests * 0.05); // the faults really happened
});

test('a 25% mix of 429, 503, resets and stalls past the timeout: the change keeps going and completes, seats exact', async () => {
  const { injected, requests } = await changeUnder({ seed: 25, stallMs: 1_500, retryAfterMs: 100, rates: { throttle: 0.07, unavailable: 0.06, reset: 0.06, stall: 0.06 } });
  expect(injected).toBeGreaterThan(requests * 0.15);
});
