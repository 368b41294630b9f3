// Reading a customer through the real client over HTTPS: every page to the end, delta with its
// deltaLink, products, fresh reads (also batched), and the partner's GDAP customers.
import { GraphClient, assignLicenses, listCustomerTenants, requireCustomer } from '../../domain/graph';
import { fakeSettings, trustingAgent } from '../support/graph-fake/client-setup';
import { GraphFake, IDS } from '../support/graph-fake/server';

const E3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';
const RACHEL = 'rachel.kim@contoso.onmicrosoft.com';
let fake: GraphFake;
let client: GraphClient;
const agent = trustingAgent();

beforeAll(async () => {
  fake = await new GraphFake({ maxUserPageSize: 7, extraUsers: { contoso: 5 }, deltaPageSize: 12, customersPageSize: 2 }).start();
  client = new GraphClient(fakeSettings(fake), { agent });
});
afterAll(async () => {
  agent.destroy();
  await fake.stop();
});

test('all users are read, page after page to the end, with their licenses and where they come from', async () => {
  const users = await client.listUsers(IDS.contoso);
  expect(users).toHaveLength(45);
  expect(new Set(users.map((u) => u.id)).size).toBe(45);
  const jordan = users.find((u) => u.displayName === 'Jordan Miller')!;
  expect(jordan.assignedLicenses!.map((l) => l.skuId)).toContain(E3);
  expect(jordan.licenseAssignmentStates![0]).toMatchObject({ assignedByGroup: null });
  const pages = fake.graphRequests(IDS.contoso).filter((r) => r.path === '/v1.0/users');
  expect(pages).toHaveLength(Math.ceil(45 / 7));
});

test('pages share one kept-alive connection', async () => {
  const before = fake.connections;
  await client.listUsers(IDS.contoso);
  expect(fake.connections - before).toBeLessThanOrEqual(1);
});

test('delta returns everything first, then only what changed, with a deltaLink to keep', async () => {
  const first = await client.usersDelta(IDS.fabrikam);
  expect(first.changes.length).toBe(fake.tenant(IDS.fabrikam).users.size);
  expect(first.deltaLink.startsWith(fake.origin)).toBe(true);

  const unchanged = await client.usersDelta(IDS.fabrikam, first.deltaLink);
  expect(unchanged.changes).toEqual([]);

  const someone = [...fake.tenant(IDS.fabrikam).users.values()].find((u) => u.usageLocation && u.licenseAssignmentStates.length === 0)!;
  const [outcome] = await assignLicenses(client, IDS.fabrikam, [
    { userId: someone.id, addLicenses: [{ skuId: '4b9405b0-7788-4568-add1-99614e613b69', disabledPlans: [] }], removeLicenses: [] },
  ]);
  expect(outcome.status).toBe('applied');
  const next = await client.usersDelta(IDS.fabrikam, unchanged.deltaLink);
  expect(next.changes.map((u) => u.id)).toEqual([someone.id]);
  expect(next.changes[0].assignedLicenses!.map((l) => l.skuId)).toContain('4b9405b0-7788-4568-add1-99614e613b69');
});

test('delta reports a deleted user as @removed', async () => {
  const start = await client.usersDelta(IDS.contoso);
  const gone = start.changes[3].id;
  fake.deleteUser(IDS.contoso, gone);
  const next = await client.usersDelta(IDS.contoso, start.deltaLink);
  expect(next.changes).toEqual([{ id: gone, '@removed': { reason: 'changed' } }]);
});

test('GRAPH_CUSTOMERS=gdap lists the GDAP customers; a tenant outside them is refused with a code', async () => {
  const customers = await listCustomerTenants(client, { customers: 'gdap' }, IDS.partner, []);
  expect(requireCustomer(customers, IDS.fabrikam).displayName).toBe('Fabrikam GmbH');
  expect(() => requireCustomer(customers, '0f0e0d0c-0b0a-4909-8807-060504030201')).toThrow(expect.objectContaining({ code: 'gdapRelationshipMissing' }));
  const configured = [{ tenantId: IDS.contoso, displayName: 'Contoso Ltd.' }];
  expect(await listCustomerTenants(client, { customers: 'partner' }, IDS.partner, configured)).toBe(configured);
});

test('products come with seats and service plans', async () => {
  const skus = await client.subscribedSkus(IDS.contoso);
  expect(skus.find((s) => s.skuId === E3)).toMatchObject({ skuPartNumber: 'ENTERPRISEPACK', prepaidUnits: { enabled: 25 }, consumedUnits: 18 });
});

test('fresh reads: one user, and 25 users in two batches with a missing one as null', async () => {
  expect((await client.getUser(IDS.contoso, RACHEL))!.displayName).toBe('Rachel Kim');
  expect(await client.getUser(IDS.contoso, 'nobody@contoso.onmicrosoft.com')).toBeNull();

  const ids = [...fake.tenant(IDS.contoso).users.keys()].slice(0, 24).concat('11111111-2222-4333-8444-555555555555');
  const before = fake.graphRequests(IDS.contoso).filter((r) => r.path === '/v1.0/$batch').length;
  const users = await client.getUsers(IDS.contoso, ids);
  expect(fake.graphRequests(IDS.contoso).filter((r) => r.path === '/v1.0/$batch').length - before).toBe(2);
  expect(users.size).toBe(25);
  expect(users.get(ids[0])!.id).toBe(ids[0]);
  expect(users.get('11111111-2222-4333-8444-555555555555')).toBeNull();
});

test("the partner's GDAP customers are read in the partner tenant, every page", async () => {
  const before = fake.graphRequests(IDS.partner).length;
  const customers = await client.delegatedAdminCustomers(IDS.partner);
  expect(customers.map((c) => c.displayName)).toEqual(['Contoso Ltd.', 'Fabrikam GmbH', 'Northwind Traders']);
  expect(fake.graphRequests(IDS.partner).length - before).toBe(2);
});

test('a nextLink off the Graph endpoint is never followed (the token would leave)', () => {
  expect(client.transport.onOrigin(`${fake.origin}/v1.0/users?$skiptoken=x`)).toBe(true);
  expect(client.transport.onOrigin('https://evil.example/v1.0/users?$skiptoken=x')).toBe(false);
});

test('a tenant without consent answers reads with the connection error code', async () => {
  await expect(client.listUsers(IDS.noConsent)).rejects.toMatchObject({ name: 'GraphConnectionError', code: 'consentMissing' });
});
