// License Desk's service on the Graph directory, end to end against the fake over HTTPS: the mirror,
// fresh reads before a change, group-inherited licenses, Graph's own rules, throttling, lost replies,
// a crash mid-apply, a tenant without consent. Every assertion is on what the tenant (the fake) holds
// or on what the admin would read in the result.
import { errorText } from '../../cards/i18n';
import type { DirectoryUserRecord, UserLicenseWrite } from '../../domain/directory-port';
import { CustomerConnectionError, SYNC_STATE_ID } from '../../domain/graph';
import type { ServiceBackends } from '../../domain/service';
import { GRAPH_RUNNER_OPTIONS } from '../../domain/store/backends';
import { DirectoryRepository } from '../../domain/store/directory';
import { ALEX, request, SKU } from '../support/demo';
import { UNCATALOGUED_MESSAGE } from '../support/graph-fake/directory';
import { IDS, type GraphFake } from '../support/graph-fake/server';
import { graphMode, graphSuite } from '../support/graph-mode';
import { SimulatedCrash } from '../support/crash';

const { agent, fakes } = graphSuite();

async function setup(options: Parameters<typeof graphMode>[1] = {}) {
  const mode = await graphMode(agent, options);
  fakes.push(mode.fake);
  const contoso = mode.fake.tenant(IDS.contoso);
  const id = (upnLocal: string) => [...contoso.users.values()].find((u) => u.userPrincipalName === `${upnLocal}@contoso.onmicrosoft.com`)!.id;
  const skus = (userId: string) => contoso.users.get(userId)!.licenseAssignmentStates.map((s) => s.skuId).sort();
  const loadUsers = (n: number) => [...contoso.users.values()].filter((u) => String(u.displayName).startsWith('Load User')).slice(0, n).map((u) => u.id);
  const seats = (skuId: string, enabled: number) => (contoso.skus.find((s) => s.skuId === skuId)!.prepaidUnits.enabled = enabled);
  return { ...mode, contoso, id, skus, loadUsers, seats };
}

/** What the admin center does behind License Desk's back: a direct assignment, visible to delta. */
function adminCenterAssigns(fake: GraphFake, userId: string, skuId: string) {
  const t = fake.tenant(IDS.contoso);
  t.users.get(userId)!.licenseAssignmentStates.push({ skuId, disabledPlans: [], assignedByGroup: null, state: 'Active', error: 'None', lastUpdatedDateTime: new Date().toISOString() });
  t.changeLog.push({ userId });
}

test('the mirror is filled on first use from Graph, then kept current by delta (the link stored in Cosmos)', async () => {
  const { service, store, fake, id } = await setup();
  const svc = service();
  const page = await svc.listUsers(ALEX, 'contoso', {}, 'first');
  expect(page.total).toBe(40);
  const state = await new DirectoryRepository(store.containers.directory).doc<{ id: string; deltaLink: string }>('contoso', SYNC_STATE_ID);
  expect(state?.deltaLink).toContain(`${fake.origin}/v1.0/users/delta`);
  expect(fake.graphRequests(IDS.contoso).some((r) => r.path === '/v1.0/users')).toBe(true);
  adminCenterAssigns(fake, id('rachel.kim'), SKU.VISIO);
  fake.deleteUser(IDS.contoso, id('tyler.anderson'));
  await svc.refresh(ALEX, 'contoso');
  expect((await svc.listUsers(ALEX, 'contoso', { skuId: SKU.VISIO }, 'first')).users.map((u) => u.displayName)).toContain('Rachel Kim');
  expect((await svc.listUsers(ALEX, 'contoso', {}, 'first')).total).toBe(39);
  const fresh = await svc.freshness(ALEX, 'contoso');
  expect(Date.now() - Date.parse(fresh.usersReadAt!)).toBeLessThan(60_000);
});

test('a license assigned in the admin center after the card was shown is flagged in the preview and never undone', async () => {
  const { service, fake, id, skus } = await setup();
  const svc = service();
  const rachel = id('rachel.kim');
  await svc.usersById(ALEX, 'contoso', [rachel, id('isla.robinson')], { fresh: true }); // the Manage licenses card
  adminCenterAssigns(fake, rachel, SKU.VISIO);
  const change = request({ userIds: [rachel, id('isla.robinson')], licensesToAssign: [{ skuId: SKU.E3 }] });
  const preview = await svc.preview(change);
  expect(preview.changedOutside).toBe(1);
  expect(preview.results.find((r) => r.userId === rachel)!.before.map((l) => l.skuId)).toContain(SKU.VISIO);
  const result = await svc.apply(change);
  expect(result.counts).toEqual({ succeeded: 2, failed: 0, noChange: 0 });
  expect(skus(rachel)).toEqual([SKU.E3, SKU.VISIO].sort());
});

test('a license inherited from a group is predicted as inheritedFromGroup and never sent as a direct removal', async () => {
  const { service, fake, contoso, id } = await setup();
  const rachel = id('rachel.kim');
  contoso.users.get(rachel)!.licenseAssignmentStates.push({ skuId: SKU.POWER_BI_PRO, disabledPlans: [], assignedByGroup: '0a1b2c3d-0000-4000-8000-00000000abcd', state: 'Active', error: 'None', lastUpdatedDateTime: new Date().toISOString() });
  const svc = service();
  const change = request({ userIds: [rachel], licensesToRemove: [SKU.POWER_BI_PRO], mode: 'remove' });
  const preview = await svc.preview(change);
  expect(preview.results[0]).toMatchObject({ status: 'failed', errors: [{ code: 'inheritedFromGroup', params: { groups: ['0a1b2c3d-0000-4000-8000-00000000abcd'] } }] });
  const result = await svc.apply(change);
  expect(result.counts.failed).toBe(1);
  expect(fake.requests.filter((r) => r.kind === 'batchItem' && r.path.endsWith('/assignLicense'))).toHaveLength(0);
});

test("a rule Graph enforces that the local rules do not know fails that user with Graph's words, the others succeed", async () => {
  const { service, fake, id, skus, seats } = await setup();
  fake.world.uncataloguedSkus.add(SKU.VISIO);
  seats(SKU.VISIO, 10);
  const svc = service();
  const result = await svc.apply(request({ userIds: [id('rachel.kim'), id('isla.robinson')], licensesToAssign: [{ skuId: SKU.VISIO }] }));
  expect(result.counts).toEqual({ succeeded: 0, failed: 2, noChange: 0 });
  expect(result.results[0].errors[0]).toMatchObject({ code: 'other', params: { message: UNCATALOGUED_MESSAGE } });
  expect(errorText(result.results[0].errors[0], 'en').reason).toContain(UNCATALOGUED_MESSAGE);
  expect(errorText(result.results[0].errors[0], 'de').reason).toContain(UNCATALOGUED_MESSAGE);
  expect(skus(id('rachel.kim'))).not.toContain(SKU.VISIO);
  const e3 = await svc.apply(request({ userIds: [id('rachel.kim')], licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(e3.counts.succeeded).toBe(1);
});

test("60 users go out in $batch requests of at most 20, and nothing reaches the tenant while a Retry-After it gave runs", async () => {
  // Graph (the fake) allows 20 writes per 2 s; the client believes in more, so it meets 429s.
  const { service, fake, loadUsers, seats } = await setup({ extraUsers: { contoso: 60 }, fakeBudgets: { [IDS.contoso]: { limit: 20, windowMs: 2_000 } } });
  seats(SKU.E3, 200);
  const users = loadUsers(60);
  const result = await service().apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(result.counts).toEqual({ succeeded: 60, failed: 0, noChange: 0 });
  const writes = fake.requests.filter((r) => r.kind === 'batchItem' && r.path.endsWith('/assignLicense'));
  expect(writes.some((r) => r.status === 429)).toBe(true);
  expect(fake.requests.filter((r) => r.insideRetryAfter)).toEqual([]);
  for (const u of users) expect(fake.tenant(IDS.contoso).applied.get(u)).toBe(1);
  const batches = fake.graphRequests(IDS.contoso).filter((r) => r.path === '/v1.0/$batch' && r.method === 'POST');
  expect(batches.length).toBeLessThan(60); // gathered, not one request per user
});

test('a lost reply inside a change is settled by reading the user back: applied exactly once', async () => {
  const { service, fake, loadUsers, seats } = await setup({ extraUsers: { contoso: 30 } });
  seats(SKU.E3, 200);
  const users = loadUsers(30);
  fake.loseReplyOnce(IDS.contoso, users[7]);
  const result = await service().apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(result.counts).toEqual({ succeeded: 30, failed: 0, noChange: 0 });
  for (const u of users) expect(fake.tenant(IDS.contoso).applied.get(u)).toBe(1);
});

test('a crash mid-apply (Graph wrote, the process died before recording it) resumes from the journal and settles by reading back', async () => {
  const { service, fake, store, loadUsers, seats } = await setup({ extraUsers: { contoso: 60 } });
  seats(SKU.E3, 200);
  const users = loadUsers(60);
  const repository = new DirectoryRepository(store.containers.directory);
  // The process dies after 30 writes reached Graph: the last 10 of them never recorded in the mirror.
  const dying = (b: ServiceBackends): ServiceBackends => {
    let written = 0;
    const directory = new Proxy(b.directory, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop !== 'applyUserChange') return typeof value === 'function' ? value.bind(target) : value;
        return async (write: UserLicenseWrite) => {
          if (written >= 30) throw new SimulatedCrash('dead');
          const outcome = await target.applyUserChange(write);
          if (++written > 20) {
            const doc = (await repository.user('contoso', write.user.id))!;
            await repository.upsert({ ...doc, licenseChanges: doc.licenseChanges.filter((m) => m.operationId !== write.mark.operationId) });
            throw new SimulatedCrash('dead after the write');
          }
          return outcome;
        };
      },
    });
    return { ...b, directory };
  };
  const change = request({ userIds: users, licensesToAssign: [{ skuId: SKU.E3 }] });
  await expect(service(dying, { ...GRAPH_RUNNER_OPTIONS, chunkSize: 20, concurrency: 20 }).apply(change)).rejects.toThrow(SimulatedCrash);
  const recovered = await service(undefined, { ...GRAPH_RUNNER_OPTIONS, chunkSize: 20, concurrency: 20, staleAfterMs: 0 }).recoverInterrupted();
  expect(recovered).toBe(1);
  const after = await service().apply(change); // same key: the recorded result
  expect(after.status).toBe('completed');
  // Chunk 1 recorded; chunk 2 written but unrecorded: read back, its users already hold E3; chunk 3 written now.
  expect(after.counts).toEqual({ succeeded: 40, failed: 0, noChange: 20 });
  for (const u of users) expect(fake.tenant(IDS.contoso).applied.get(u)).toBe(1);
  const products = await service().products(ALEX, 'contoso');
  const e3 = products.find((p) => p.skuId === SKU.E3)!;
  const holders = [...fake.tenant(IDS.contoso).users.values()].filter((u) => u.licenseAssignmentStates.some((s) => s.skuId === SKU.E3)).length;
  expect(e3.available).toBe(200 - holders); // no seat left held by the dead attempt
});

test('a customer whose tenant never consented gets a connection error naming it; the others keep working', async () => {
  const { service } = await setup({ withNorthwind: true });
  const svc = service();
  const failure = await svc.listUsers(ALEX, 'northwind', {}, 'first').catch((e) => e);
  expect(failure).toBeInstanceOf(CustomerConnectionError);
  expect(failure).toMatchObject({ code: 'consentMissing', customer: { key: 'northwind', displayName: 'Northwind Traders' }, params: { tenantId: IDS.noConsent } });
  expect(JSON.stringify(failure)).not.toContain('fake-secret');
  expect((await svc.listUsers(ALEX, 'contoso', {}, 'first')).total).toBe(40);
});

test('users read for a change come from Graph, not the mirror', async () => {
  const { service, fake, id } = await setup();
  const svc = service();
  await svc.listUsers(ALEX, 'contoso', {}, 'first');
  adminCenterAssigns(fake, id('isla.robinson'), SKU.VISIO);
  const [isla] = (await svc.usersById(ALEX, 'contoso', [id('isla.robinson')], { fresh: true })) as DirectoryUserRecord[];
  expect(isla.assignedLicenses.map((l) => l.skuId)).toContain(SKU.VISIO);
  expect(isla.changedOutside).toBe(true);
});
