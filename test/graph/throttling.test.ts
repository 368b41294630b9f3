// Throttling against the fake, judged by the fake's own arrival times: after a 429 (top level or inside
// $batch) nothing reaches that tenant until its Retry-After has passed, while another tenant carries on.
import { GraphClient, assignLicenses, type LicenseChange } from '../../domain/graph';
import { fakeSettings, trustingAgent } from '../support/graph-fake/client-setup';
import { GraphFake, IDS, type RecordedRequest } from '../support/graph-fake/server';

const E3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';
let fake: GraphFake;
let client: GraphClient;
const agent = trustingAgent();

beforeAll(async () => {
  fake = await new GraphFake({ extraUsers: { contoso: 45 }, budgets: { [IDS.contoso]: { limit: 25, windowMs: 6000 } } }).start();
  client = new GraphClient(fakeSettings(fake), { agent });
  fake.tenant(IDS.contoso).skus.find((s) => s.skuId === E3)!.prepaidUnits.enabled = 200;
});
afterAll(async () => {
  agent.destroy();
  await fake.stop();
});

/** Requests of the tenant that arrived inside one of its Retry-After windows (after the 429 itself). */
function insideRetryAfter(tenantId: string): RecordedRequest[] {
  const windows = fake.throttle.windows.filter((w) => w.tenantId === tenantId);
  return fake.graphRequests(tenantId).filter((r) => r.insideRetryAfter || windows.some((w) => r.at > w.from && r.at < w.until));
}

test('inner 429s in $batch pause the tenant for their Retry-After; only the throttled users are sent again', async () => {
  const load = [...fake.tenant(IDS.contoso).users.values()].filter((u) => String(u.displayName).startsWith('Load User'));
  const changes: LicenseChange[] = load.map((u) => ({ userId: u.id, addLicenses: [{ skuId: E3, disabledPlans: [] }], removeLicenses: [] }));
  const outcomes = await assignLicenses(client, IDS.contoso, changes);

  expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
  for (const u of load) expect(fake.tenant(IDS.contoso).applied.get(u.id)).toBe(1);
  const throttledItems = fake.requests.filter((r) => r.kind === 'batchItem' && r.status === 429);
  expect(throttledItems.length).toBeGreaterThan(0);
  expect(fake.throttle.windows.filter((w) => w.tenantId === IDS.contoso).length).toBeGreaterThan(0);
  expect(insideRetryAfter(IDS.contoso)).toEqual([]);
});

test('a top-level 429 on a read is waited out, then the read finishes', async () => {
  fake.throttle.forceNext(IDS.fabrikam, 1);
  const users = await client.listUsers(IDS.fabrikam);
  expect(users.length).toBe(fake.tenant(IDS.fabrikam).users.size);
  const [throttled, retried] = fake.graphRequests(IDS.fabrikam).slice(-2);
  expect(throttled.status).toBe(429);
  expect(retried.at - throttled.at).toBeGreaterThanOrEqual(1000);
  expect(insideRetryAfter(IDS.fabrikam)).toEqual([]);
});

test('a 503 with Retry-After on a write pauses the tenant and is reported as unknown, to be read back', async () => {
  const user = [...fake.tenant(IDS.fabrikam).users.values()].find((u) => u.usageLocation)!;
  fake.throttle.forceNext(IDS.fabrikam, 1, 503);
  const [outcome] = await assignLicenses(client, IDS.fabrikam, [{ userId: user.id, addLicenses: [], removeLicenses: [] }]);
  expect(outcome).toMatchObject({ status: 'unknown', reason: 'serverError', httpStatus: 503 });
  expect(client.pacer.blockedUntil(IDS.fabrikam)).toBeGreaterThan(0);
});

test('two tenants are paced independently: one waits out its Retry-After while the other is served', async () => {
  fake.throttle.forceNext(IDS.contoso, 5);
  const seen = fake.requests.length;
  const contosoRead = client.listUsers(IDS.contoso);
  // Start Fabrikam's reads once Contoso's 429 has been given (no guessing how long that takes).
  while (!fake.requests.slice(seen).some((r) => r.tenantId === IDS.contoso && r.status === 429)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await client.listUsers(IDS.fabrikam);
  await client.subscribedSkus(IDS.fabrikam);
  await contosoRead;
  const window = fake.throttle.windows.filter((w) => w.tenantId === IDS.contoso).at(-1)!;
  const fabrikamDuring = fake.graphRequests(IDS.fabrikam).filter((r) => r.at > window.from && r.at < window.until);
  expect(fabrikamDuring.length).toBeGreaterThanOrEqual(2);
  expect(insideRetryAfter(IDS.contoso)).toEqual([]);
});
