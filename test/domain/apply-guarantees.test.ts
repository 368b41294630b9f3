// What apply promises beyond the rules: preview = apply, last seats under contention, idempotency,
// crash recovery, and (fast-check) the seat invariant and per-user atomicity under any interleaving.
import fc from 'fast-check';
import type { Dataset } from '../../domain/dataset';
import type { LicenseService } from '../../domain/service';
import type { UserDoc } from '../../domain/store/directory';
import { ALEX, SKU, expectSeatInvariant, request, userId } from '../support/demo';
import { losingReplies } from '../support/lossy';
import { SimulatedCrash } from '../support/crash';
import { closeStores, demoDataset, demoService, directoryOf, serviceOn } from '../support/store';

let data: Dataset;
beforeAll(async () => {
  data = await demoDataset();
});
afterAll(closeStores);

const contosoUsers = () => data.customers.find((c) => c.customer.key === 'contoso')!.users;
const withoutSku = (skuId: string) => contosoUsers().filter((u) => u.usageLocation && !u.assignedLicenses.some((l) => l.skuId === skuId));

/** The demo data with a product's seats set so exactly `free` are left. */
function withFreeSeats(skuId: string, free: number): Dataset {
  const copy = structuredClone(data);
  const sku = copy.customers[0].skus.find((s) => s.skuId === skuId)!;
  sku.prepaidUnits.enabled = sku.consumedUnits + free;
  return copy;
}

test('preview predicts exactly what apply then does, user by user', async () => {
  const { store, service } = await demoService();
  const everyone = contosoUsers().map((u) => u.id);
  const req = request({ userIds: everyone, licensesToAssign: [{ skuId: SKU.COPILOT, disabledPlans: [] }, { skuId: SKU.TEAMS_PHONE, disabledPlans: [] }], licensesToRemove: [SKU.POWER_BI_PRO] });
  const preview = await service.preview(req);
  const applied = await service.apply(req);
  const outcome = (r: (typeof preview.results)[number]) => ({ user: r.userId, status: r.status, codes: r.errors.map((e) => e.code), after: r.after, params: r.errors.map((e) => e.params) });
  expect(applied.results.map(outcome)).toEqual(preview.results.map(outcome));
  expect(applied.counts).toEqual(preview.counts);
  expect(preview.counts.failed).toBeGreaterThan(0); // the request really exercises failures too
  await expectSeatInvariant(store);
});

test('20 concurrent requests for the last 5 seats: exactly 5 users get one', async () => {
  const { store, service } = await demoService({}, withFreeSeats(SKU.TEAMS_PHONE, 5));
  const candidates = withoutSku(SKU.TEAMS_PHONE).slice(0, 20);
  expect(candidates).toHaveLength(20);
  const results = await Promise.all(candidates.map((u) => service.apply(request({ userIds: [u.id], licensesToAssign: [{ skuId: SKU.TEAMS_PHONE, disabledPlans: [] }] }))));
  const outcomes = results.map((r) => r.results[0]);
  expect(outcomes.filter((r) => r.status === 'succeeded')).toHaveLength(5);
  expect(outcomes.filter((r) => r.status === 'failed').every((r) => r.errors[0].code === 'countViolation')).toBe(true);
  const book = await expectSeatInvariant(store);
  expect(book[SKU.TEAMS_PHONE]).toMatchObject({ consumed: 8, holders: 8, enabled: 8 });
});

test('the same idempotency key twice, even at the same time, changes things once and returns the same result', async () => {
  const { store, service } = await demoService();
  const req = request({ userIds: [userId(data, 'rachel.kim'), userId(data, 'lena.fischer')], licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] });
  const [first, second] = await Promise.all([service.apply(req), service.apply(req)]);
  const third = await service.apply(req);
  expect(first.operationId).toBe(second.operationId);
  expect(third.operationId).toBe(first.operationId);
  expect(third.replayed).toBe(true);
  expect(third.counts).toEqual({ succeeded: 2, failed: 0, noChange: 0 });
  const e3 = (await service.products(ALEX, 'contoso')).find((p) => p.skuId === SKU.E3)!;
  expect(e3.available).toBe(5);
  const rachel = (await directoryOf(store).user('contoso', userId(data, 'rachel.kim')))!;
  expect(rachel.licenseChanges).toHaveLength(1);
  await expectSeatInvariant(store);
});

test('a crash mid-way leaves a running operation that a restart completes, seats exact', async () => {
  const { store, service } = await demoService({ chunkSize: 3, crashAfterUserWrites: 4 });
  const users = withoutSku(SKU.TEAMS_PHONE).slice(0, 9).map((u) => u.id);
  const req = request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE, disabledPlans: [] }], licensesToRemove: [SKU.POWER_BI_PRO] });
  await expect(service.apply(req)).rejects.toBeInstanceOf(SimulatedCrash);
  const restarted = serviceOn(store, { chunkSize: 3 });
  expect(await restarted.recoverInterrupted({ staleAfterMs: 0 })).toBe(1);
  await expectSeatInvariant(store);
  const result = await restarted.apply(req); // the caller's retry: the recorded result, nothing changes
  expect(result.replayed).toBe(true);
  expect(result.status).toBe('completed');
  expect(result.counts.succeeded).toBe(7); // 7 seats were free
  expect(result.results.filter((r) => r.status === 'failed').map((r) => r.errors[0].code)).toEqual(['countViolation', 'countViolation']);
  const holders = await directoryOf(store).holders('contoso', SKU.TEAMS_PHONE);
  expect(holders).toBe(10);
});

test('a retried apply of a crashed operation (same key) takes it over once it is stale', async () => {
  const { store, service } = await demoService({ chunkSize: 2, crashAfterUserWrites: 1 });
  const req = request({ userIds: withoutSku(SKU.E3).slice(0, 5).map((u) => u.id), licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] });
  await expect(service.apply(req)).rejects.toBeInstanceOf(SimulatedCrash);
  const retry = await serviceOn(store, { chunkSize: 2, staleAfterMs: 0 }).apply(req);
  expect(retry.status).toBe('completed');
  expect(retry.results).toHaveLength(5);
  await expectSeatInvariant(store);
});

// ---- property: any interleaving of assign / revoke / replace from concurrent callers -------------

const products = [SKU.E3, SKU.TEAMS_PHONE, SKU.CALLING_PLAN, SKU.COPILOT, SKU.EXCHANGE_P1, SKU.POWER_BI_PRO];
const changeArb = fc.record({
  mode: fc.constantFrom('add', 'replace', 'remove') as fc.Arbitrary<'add' | 'replace' | 'remove'>,
  users: fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 6 }),
  assign: fc.uniqueArray(fc.constantFrom(...products), { minLength: 1, maxLength: 3 }),
  remove: fc.uniqueArray(fc.constantFrom(...products), { maxLength: 2 }),
  crash: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }),
});

const regressionExample = [
  [{ mode: 'add', users: [5, 0], assign: [SKU.TEAMS_PHONE, SKU.CALLING_PLAN], remove: [SKU.E3], crash: null }],
  [{ mode: 'remove', users: [5], assign: [SKU.E3], remove: [SKU.CALLING_PLAN, SKU.E3], crash: 0 }],
  [{ mode: 'add', users: [0], assign: [SKU.E3], remove: [], crash: null }],
] as { mode: 'add' | 'replace' | 'remove'; users: number[]; assign: string[]; remove: string[]; crash: number | null }[][];

test('property: random concurrent changes keep consumedUnits = holders <= enabled, and every user change whole', async () => {
  // Few seats, so callers really compete for them.
  const base = withFreeSeats(SKU.TEAMS_PHONE, 2);
  base.customers[0].skus.find((s) => s.skuId === SKU.COPILOT)!.prepaidUnits.enabled = 3;
  const pool = base.customers[0].users.filter((u) => u.usageLocation).slice(0, 12).map((u) => u.id);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(changeArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 4 }), async (callers) => {
      const { store, service } = await demoService({ chunkSize: 2 }, base);
      const applied: Awaited<ReturnType<LicenseService['apply']>>[] = [];
      await Promise.all(
        callers.map(async (changes) => {
          for (const c of changes) {
            const remove = c.mode === 'replace' ? [] : c.remove.filter((s) => c.mode === 'remove' || !c.assign.includes(s));
            if (c.mode === 'remove' && !remove.length) continue;
            const req = request({ mode: c.mode, userIds: c.users.map((i) => pool[i]), licensesToAssign: c.mode === 'remove' ? [] : c.assign.map((skuId) => ({ skuId, disabledPlans: [] })), licensesToRemove: remove });
            if (c.crash !== null) {
              // This caller's process dies mid-way; a restarted one finishes the operation.
              const dying = serviceOn(store, { chunkSize: 2, crashAfterUserWrites: c.crash });
              await dying.apply(req).catch((e) => { if (!(e instanceof SimulatedCrash)) throw e; });
              applied.push(await serviceOn(store, { chunkSize: 2, staleAfterMs: 0 }).apply(req));
            } else applied.push(await service.apply(req));
          }
        }),
      );
      await expectSeatInvariant(store);
      const users = await directoryOf(store).usersById('contoso', pool);
      for (const result of applied) {
        for (const r of result.results) {
          const marks = users.get(r.userId)!.licenseChanges.filter((m) => m.operationId === result.operationId);
          // A user either got the whole change (one mark, exactly these adds/removes) or none of it.
          expect(marks).toHaveLength(r.status === 'succeeded' ? 1 : 0);
          if (marks.length) expect({ added: marks[0].added, removed: marks[0].removed }).toEqual({ added: r.added, removed: r.removed });
        }
      }
      for (const u of users.values()) checkHistory(u);
    }),
    {
      numRuns: Number(process.env.PROPERTY_RUNS ?? 8),
      seed: Number(process.env.PROPERTY_SEED ?? 20261126),
      // Found by this test: a lost race re-evaluated a user into giving back a seat the chunk did not settle.
      examples: [[regressionExample]],
    },
  );
}, 300_000);

/** Each user's marks chain (no lost update) and the newest one is what the user holds. */
function checkHistory(u: UserDoc) {
  const marks = u.licenseChanges;
  if (!marks.length) return;
  const ids = (ls: { skuId: string }[]) => ls.map((l) => l.skuId).sort();
  expect(ids(u.assignedLicenses)).toEqual(ids(marks[0].after));
  for (let i = 0; i + 1 < marks.length; i++) expect(ids(marks[i].before)).toEqual(ids(marks[i + 1].after));
  for (const m of marks) {
    const expected = ids(m.before).filter((s) => !m.removed.includes(s)).concat(m.added).sort();
    expect(ids(m.after)).toEqual(expected);
  }
}

test('a request in many chunks streams progress, and is recorded as an operation that can be read back', async () => {
  const { service } = await demoService({ chunkSize: 5 });
  const users = contosoUsers().slice(0, 23).map((u) => u.id);
  const progress: number[] = [];
  const result = await service.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.POWER_BI_PRO, disabledPlans: [] }] }), (p) => progress.push(p.processed));
  expect(progress).toEqual([5, 10, 15, 20, 23]);
  const recorded = await service.operation(ALEX, 'contoso', result.operationId);
  expect(recorded).toMatchObject({ status: 'completed', requestedBy: { displayName: 'Alex Wilber' }, counts: result.counts });
  expect(recorded!.results.map((r) => [r.userId, r.status])).toEqual(result.results.map((r) => [r.userId, r.status]));
  const [latest] = await service.history(ALEX, 'contoso');
  expect(latest).toMatchObject({ operationId: result.operationId, userCount: 23, assigned: [SKU.POWER_BI_PRO], requestedBy: { displayName: 'Alex Wilber' } });
});

test('a write whose reply is lost (408 after it was applied) is repeated without counting a seat twice', async () => {
  const { store } = await demoService();
  const directory = losingReplies(store.containers.directory, (n) => n % 3 === 0);
  const service = serviceOn({ containers: { ...store.containers, directory: directory.container } }, { chunkSize: 3 });
  const users = withoutSku(SKU.TEAMS_PHONE).slice(0, 9).map((u) => u.id);
  const result = await service.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }], licensesToRemove: [SKU.POWER_BI_PRO] }));
  expect(directory.writes()).toBeGreaterThan(6);
  expect(result.counts).toEqual({ succeeded: 7, failed: 2, noChange: 0 });
  await expectSeatInvariant(store);
});

test('operation records whose write replies are lost: the change still completes once, and says so', async () => {
  const { store } = await demoService();
  const operations = losingReplies(store.containers.operations, (n) => n % 2 === 1);
  const service = serviceOn({ containers: { ...store.containers, operations: operations.container } }, { chunkSize: 2 });
  const req = request({ userIds: withoutSku(SKU.TEAMS_PHONE).slice(0, 5).map((u) => u.id), licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] });
  const result = await service.apply(req);
  expect(operations.writes()).toBeGreaterThan(3);
  expect(result).toMatchObject({ status: 'completed', counts: { succeeded: 5, failed: 0, noChange: 0 } });
  await expectSeatInvariant(store);
});

test('resume: an admin clicking again after a restart finishes the stale operation; a reader may not', async () => {
  const { store, service } = await demoService({ chunkSize: 2, crashAfterUserWrites: 1 });
  const req = request({ userIds: withoutSku(SKU.E3).slice(0, 5).map((u) => u.id), licensesToAssign: [{ skuId: SKU.E3 }] });
  const predicted = await service.preview(req);
  const crashed = await service.apply(req).catch((e) => e);
  expect(crashed).toBeInstanceOf(SimulatedCrash);
  const restarted = serviceOn(store, { staleAfterMs: 0 });
  const [op] = await restarted.history(ALEX, 'contoso');
  expect(op.status).toBe('running');
  await expect(restarted.resume({ aadObjectId: '00000000-0000-0000-0000-0000000000021' }, 'contoso', op.operationId)).rejects.toMatchObject({ code: 'accessDenied' });
  const finished = await restarted.resume(ALEX, 'contoso', op.operationId);
  expect(finished.status).toBe('completed');
  expect(finished.counts).toEqual(predicted.counts);
  await expectSeatInvariant(store);
});

test('a recovery sweep never takes over an operation its own process is running, however old its heartbeat', async () => {
  const { store, service } = await demoService({ chunkSize: 1, staleAfterMs: 0 });
  const req = request({ userIds: withoutSku(SKU.TEAMS_PHONE).slice(0, 6).map((u) => u.id), licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] });
  const applying = service.apply(req);
  let sweeps = 0;
  let tookOver = 0;
  while ((await service.history(ALEX, 'contoso'))[0]?.status !== 'completed') {
    tookOver += await service.recoverInterrupted({ staleAfterMs: 0 });
    sweeps++;
  }
  const result = await applying;
  expect(sweeps).toBeGreaterThan(0);
  expect(tookOver).toBe(0);
  expect(result.replayed).toBe(false);
  await expectSeatInvariant(store);
});
