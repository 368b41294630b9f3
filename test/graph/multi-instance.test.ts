// Several License Desk instances on one Cosmos store and one customer tenant (the Graph fake), each
// with its own Graph client, as App Service runs them behind one bot: a runner that lost its lease never
// writes to Graph again, and nothing one instance keeps in memory lets it act on users or pages another
// instance has changed since.
import type { LicenseChangeMark } from '../../domain/directory-port';
import { GRAPH_RUNNER_OPTIONS, type GraphBackends } from '../../domain/store/backends';
import { OperationRepository } from '../../domain/store/operations';
import { ALEX, request, SKU } from '../support/demo';
import { IDS } from '../support/graph-fake/server';
import { graphMode, graphSuite } from '../support/graph-mode';

const { agent, fakes } = graphSuite();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function setup(extraUsers = 0) {
  const mode = await graphMode(agent, { extraUsers: { contoso: extraUsers } });
  fakes.push(mode.fake);
  const contoso = mode.fake.tenant(IDS.contoso);
  const id = (upnLocal: string) => [...contoso.users.values()].find((u) => u.userPrincipalName === `${upnLocal}@contoso.onmicrosoft.com`)!.id;
  /** One instance: its own Graph client (pacer, tokens) and directory, on the shared store. */
  const instance = (options = {}) => {
    const backends: GraphBackends = mode.backends();
    return { backends, service: mode.service(() => backends, { ...GRAPH_RUNNER_OPTIONS, ...options }) };
  };
  return { ...mode, contoso, id, instance };
}

// Instance A's heartbeat is written only with each chunk (renewEveryMs 0), as a frozen process's would be.
const LEASE = { chunkSize: 3, leaseMs: 900, staleAfterMs: 900, renewEveryMs: 0 };

test('a runner whose lease was taken over while it waited out a Retry-After sends nothing more to Graph', async () => {
  const { fake, contoso, store, instance } = await setup(3);
  const users = [...contoso.users.values()].filter((u) => String(u.displayName).startsWith('Load User')).map((u) => u.id);
  contoso.skus.find((s) => s.skuId === SKU.POWER_BI_PRO)!.prepaidUnits.enabled = 500;
  const a = instance(LEASE);
  // B is a healthy instance: it renews its heartbeat while it waits (a sixth of the lease).
  const b = instance({ ...LEASE, renewEveryMs: undefined });
  // A's first write batch is answered 429 with Retry-After 3 s: A waits, far past its 0.9 s lease.
  fake.throttle.forceNextWrite(IDS.contoso, 3);
  const applying = a.service.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.POWER_BI_PRO }] })).then(
    (result) => ({ result }),
    (error) => ({ error }),
  );
  await until(() => fake.requests.some((r) => r.kind === 'graph' && r.path === '/v1.0/$batch' && r.status === 429), 'the 429');
  // A's own token tells its requests from B's (each instance has its own credential and token).
  const tokenOfA = fake.requests.find((r) => r.kind === 'graph' && r.path === '/v1.0/$batch' && r.status === 429)!.tokenId;
  const operations = new OperationRepository(store.containers.operations);
  const [{ operationId }] = await a.service.history(ALEX, 'contoso');
  await until(async () => Date.now() - Date.parse((await operations.get('contoso', operationId))!.heartbeatAt) > LEASE.staleAfterMs, 'a stale heartbeat');

  // B takes the operation over and finishes it (after the same Retry-After: the tenant gave it).
  const takenOverAt = Date.now();
  expect(await b.service.recoverInterrupted()).toBe(1);
  expect((await operations.get('contoso', operationId))!.status).toBe('completed');
  // A's Retry-After ends: its fence is closed, so its batch never goes out; A answers with B's result.
  const outcome = await applying;
  expect('result' in outcome && outcome.result.counts).toEqual({ succeeded: 3, failed: 0, noChange: 0 });
  expect(users.map((u) => contoso.applied.get(u))).toEqual([1, 1, 1]);
  const writes = fake.requests.filter((r) => r.kind === 'batchItem' && r.path.endsWith('/assignLicense'));
  expect(writes.map((w) => w.tokenId === tokenOfA)).toEqual([false, false, false]);
  // Nothing at all from A once B had the operation.
  expect(fake.requests.filter((r) => r.tokenId === tokenOfA && r.at >= takenOverAt)).toEqual([]);
}, 90_000);

test('two instances: a user the other instance changed since this one read it is decided again, never written over', async () => {
  const { fake, contoso, id, instance } = await setup();
  const rachel = id('rachel.kim');
  const a = instance();
  const b = instance();
  // A reads Rachel fresh, as Manage licenses does.
  const [seen] = await a.service.usersById(ALEX, 'contoso', [rachel], { fresh: true });
  expect(seen.assignedLicenses.some((l) => l.skuId === SKU.E3)).toBe(false);
  // B assigns her Office 365 E3 meanwhile.
  const byB = await b.service.apply(request({ userIds: [rachel], licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(byB.counts.succeeded).toBe(1);
  // A now writes the change it decided on what it saw: the mirror (not A's memory) says she changed.
  const mark: LicenseChangeMark = {
    operationId: 'op-from-a', reservationKey: 'op-from-a:0:1', added: [SKU.E3], removed: [], updated: [],
    before: seen.assignedLicenses, after: [...seen.assignedLicenses, { skuId: SKU.E3, disabledPlans: [] }], at: new Date().toISOString(),
  };
  const outcome = await a.backends.directory.applyUserChange({ customerId: 'contoso', user: seen as never, mark });
  expect(outcome.status).toBe('changedSince');
  expect(contoso.applied.get(rachel)).toBe(1);
  // Through A's service, the same request finds her done: unchanged, nothing sent.
  const byA = await a.service.apply(request({ userIds: [rachel], licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(byA.counts).toEqual({ succeeded: 0, failed: 0, noChange: 1 });
  expect(contoso.applied.get(rachel)).toBe(1);
  expect(fake.tenant(IDS.contoso).users.get(rachel)!.licenseAssignmentStates.filter((s) => s.skuId === SKU.E3)).toHaveLength(1);
}, 90_000);

test("two instances: a change one instance read fresh from Graph shows in the other's pages and filters at once", async () => {
  const { fake, id, instance } = await setup();
  const rachel = id('rachel.kim');
  const a = instance();
  const b = instance();
  const withVisio = async () => (await a.service.listUsers(ALEX, 'contoso', { skuId: SKU.VISIO }, 'first')).users.map((u) => u.id);
  expect(await withVisio()).not.toContain(rachel); // A's page index is built now
  // The admin center assigns Visio; B reads Rachel fresh (Manage licenses) and stores what Graph says.
  const t = fake.tenant(IDS.contoso);
  t.users.get(rachel)!.licenseAssignmentStates.push({ skuId: SKU.VISIO, disabledPlans: [], assignedByGroup: null, state: 'Active', error: 'None', lastUpdatedDateTime: new Date().toISOString() });
  t.changeLog.push({ userId: rachel });
  const [fresh] = await b.service.usersById(ALEX, 'contoso', [rachel], { fresh: true });
  expect(fresh.changedOutside).toBe(true);
  // A, within its minute of trusting the mirror (no delta round), lists her under Visio.
  expect(await withVisio()).toContain(rachel);
}, 90_000);

test("two instances: users changed and removed in the tenant, found by one instance's delta round, show in the other's pages", async () => {
  const { fake, id, instance } = await setup();
  const rachel = id('rachel.kim');
  const tyler = id('tyler.anderson');
  const a = instance();
  const b = instance();
  const page = async (filter = {}) => a.service.listUsers(ALEX, 'contoso', filter, 'first');
  expect((await page()).total).toBe(40); // A fills the mirror and holds its page index
  const t = fake.tenant(IDS.contoso);
  t.users.get(rachel)!.licenseAssignmentStates.push({ skuId: SKU.VISIO, disabledPlans: [], assignedByGroup: null, state: 'Active', error: 'None', lastUpdatedDateTime: new Date().toISOString() });
  t.changeLog.push({ userId: rachel });
  fake.deleteUser(IDS.contoso, tyler);
  await b.service.refresh(ALEX, 'contoso');
  // A, within its minute of trusting the mirror (no delta round of its own), sees both.
  expect((await page({ skuId: SKU.VISIO })).users.map((u) => u.id)).toContain(rachel);
  expect((await page()).total).toBe(39);
  expect(await a.service.userIdsMatching(ALEX, 'contoso', {})).not.toContain(tyler);
  expect((await a.service.summary(ALEX, 'contoso')).userCount).toBe(39);
}, 90_000);
