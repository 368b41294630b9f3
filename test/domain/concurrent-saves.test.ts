// Seats under contention (issue 10, "Keep proving what holds"): two admins racing for the last seats,
// and 50 concurrent saves on overlapping users. Afterwards seats equal holders, never above enabled,
// no reservation is left open, and every user's change is whole and recorded once.
import fc from 'fast-check';
import type { Dataset } from '../../domain/dataset';
import { ADELE, ALEX, SKU, expectSeatInvariant, request } from '../support/demo';
import { closeStores, demoDataset, demoService, directoryOf } from '../support/store';

jest.setTimeout(240_000);
let data: Dataset;
beforeAll(async () => {
  data = await demoDataset();
});
afterAll(closeStores);

const contoso = () => data.customers.find((c) => c.customer.key === 'contoso')!;
const located = () => contoso().users.filter((u) => u.usageLocation);
const without = (skuId: string) => located().filter((u) => !u.assignedLicenses.some((l) => l.skuId === skuId));

test('two admins racing for the last 3 seats: exactly 3 users get one, and each admin is told who did not', async () => {
  const copy = structuredClone(data);
  const e3 = copy.customers.find((c) => c.customer.key === 'contoso')!.skus.find((s) => s.skuId === SKU.E3)!;
  e3.prepaidUnits.enabled = e3.consumedUnits + 3;
  copy.partner.admins.find((a) => a.aadObjectId === ADELE.aadObjectId)!.customers = ['*'];
  const { store, service } = await demoService({ chunkSize: 2 }, copy);
  // Users E3 suits (no Exchange Plan 1 to conflict with): only seats can stop them.
  const candidates = without(SKU.E3).filter((u) => !u.assignedLicenses.some((l) => l.skuId === SKU.EXCHANGE_P1)).slice(0, 8).map((u) => u.id);
  const [byAlex, byAdele] = await Promise.all([
    service.apply(request({ userIds: candidates.slice(0, 4), licensesToAssign: [{ skuId: SKU.E3 }], requestedBy: ALEX })),
    service.apply(request({ userIds: candidates.slice(4), licensesToAssign: [{ skuId: SKU.E3 }], requestedBy: ADELE })),
  ]);
  expect(byAlex.counts.succeeded + byAdele.counts.succeeded).toBe(3);
  for (const r of [...byAlex.results, ...byAdele.results].filter((x) => x.status === 'failed')) expect(r.errors[0].code).toBe('countViolation');
  const book = await expectSeatInvariant(store);
  expect(book[SKU.E3].consumed).toBe(book[SKU.E3].enabled);
});

test('50 concurrent saves on overlapping users: seats equal holders afterwards, every user change whole and once', async () => {
  const copy = structuredClone(data);
  for (const s of copy.customers.find((c) => c.customer.key === 'contoso')!.skus) s.prepaidUnits.enabled = s.consumedUnits + 4; // scarce
  const { store, service } = await demoService({ chunkSize: 3 }, copy);
  const pool = located().slice(0, 16).map((u) => u.id);
  const products = [SKU.E3, SKU.TEAMS_PHONE, SKU.POWER_BI_PRO, SKU.VISIO];
  const saves = fc.sample(
    fc.record({ users: fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 6 }), sku: fc.constantFrom(...products), revoke: fc.boolean() }),
    { numRuns: 50, seed: 50 },
  );
  const results = await Promise.all(
    saves.map((s) => service.apply(request(s.revoke ? { userIds: s.users, licensesToRemove: [s.sku], mode: 'remove' } : { userIds: s.users, licensesToAssign: [{ skuId: s.sku }] }))),
  );
  expect(results.every((r) => r.status === 'completed')).toBe(true);
  await expectSeatInvariant(store);
  // Each user carries at most one mark per operation, and its licenses are what its newest mark says.
  const users = await directoryOf(store).usersById('contoso', pool);
  for (const u of users.values()) {
    const ids = u.licenseChanges.map((m) => m.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    if (u.licenseChanges[0]) expect(u.assignedLicenses.map((l) => l.skuId).sort()).toEqual(u.licenseChanges[0].after.map((l) => l.skuId).sort());
  }
});
