// License writes through the real client: 45 users in three $batch calls with one outcome each,
// Graph's errors mapped to stable codes, and a lost reply settled by reading the users back.
import { GraphClient, assignLicenses, settleByReadBack, type LicenseChange } from '../../domain/graph';
import { fakeSettings, trustingAgent } from '../support/graph-fake/client-setup';
import { UNCATALOGUED_MESSAGE } from '../support/graph-fake/directory';
import { GraphFake, IDS } from '../support/graph-fake/server';

const SKU = {
  E3: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  E5: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
  EXCHANGE_P1: '4b9405b0-7788-4568-add1-99614e613b69',
  TEAMS_PHONE: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd',
  POWER_BI_PRO: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
  VISIO: 'c5928f49-12ba-48f7-ada3-0d743a3601d5',
};
let fake: GraphFake;
let client: GraphClient;
const agent = trustingAgent();
const id = (upnLocal: string) => [...fake.tenant(IDS.contoso).users.values()].find((u) => u.userPrincipalName === `${upnLocal}@contoso.onmicrosoft.com`)!.id;
const add = (userId: string, skuId: string, disabledPlans: string[] = []): LicenseChange => ({ userId, addLicenses: [{ skuId, disabledPlans }], removeLicenses: [] });
const remove = (userId: string, skuId: string): LicenseChange => ({ userId, addLicenses: [], removeLicenses: [skuId] });

beforeAll(async () => {
  fake = await new GraphFake({ extraUsers: { contoso: 60 } }).start();
  client = new GraphClient(fakeSettings(fake), { agent });
  fake.tenant(IDS.contoso).skus.find((s) => s.skuId === SKU.E3)!.prepaidUnits.enabled = 200;
});
afterAll(async () => {
  agent.destroy();
  await fake.stop();
});

test('45 users are written in 3 batches of at most 20, each with its own outcome, in request order', async () => {
  const load = [...fake.tenant(IDS.contoso).users.values()].filter((u) => u.displayName?.toString().startsWith('Load User')).slice(0, 43);
  const changes = [
    ...load.map((u) => add(u.id, SKU.E3)),
    add(id('tyler.anderson'), SKU.E3), // no usage location
    add('99999999-9999-4999-8999-999999999999', SKU.E3), // no such user
  ];
  const before = fake.graphRequests(IDS.contoso).filter((r) => r.path === '/v1.0/$batch').length;
  const outcomes = await assignLicenses(client, IDS.contoso, changes);
  expect(fake.graphRequests(IDS.contoso).filter((r) => r.path === '/v1.0/$batch').length - before).toBe(3);
  expect(outcomes.map((o) => o.userId)).toEqual(changes.map((c) => c.userId));
  expect(outcomes.slice(0, 43).every((o) => o.status === 'applied')).toBe(true);
  const applied = outcomes[0];
  expect(applied.status === 'applied' && applied.user.assignedLicenses!.map((l) => l.skuId)).toEqual([SKU.E3]);
  expect(outcomes[43]).toMatchObject({ status: 'failed', error: { code: 'usageLocationMissing', params: { httpStatus: 400 } } });
  expect(outcomes[44]).toMatchObject({ status: 'failed', error: { code: 'userNotFound', params: { httpStatus: 404 } } });
  for (const u of load) expect(fake.tenant(IDS.contoso).applied.get(u.id)).toBe(1);
});

test("Graph's assignLicense errors become stable codes with structured params; unknown ones stay verbatim", async () => {
  const tenant = fake.tenant(IDS.contoso);
  const inherited = tenant.users.get(id('rachel.kim'))!;
  inherited.licenseAssignmentStates.push({ skuId: SKU.POWER_BI_PRO, disabledPlans: [], assignedByGroup: '0a1b2c3d-0000-4000-8000-00000000abcd', state: 'Active', error: 'None', lastUpdatedDateTime: new Date().toISOString() });
  fake.world.uncataloguedSkus.add(SKU.VISIO);
  fake.tenant(IDS.contoso).skus.find((s) => s.skuId === SKU.VISIO)!.prepaidUnits.enabled = 10;
  const outcomes = await assignLicenses(client, IDS.contoso, [
    add(id('ashley.johnson'), SKU.E5), // 5 of 5 used
    add(id('charlotte.davies'), SKU.E3), // E3 with Exchange Plan 2 on, beside Exchange Plan 1
    remove(id('jordan.miller'), SKU.TEAMS_PHONE), // the calling plan needs Phone System
    add(id('jessica.ramirez'), '0badc0de-0000-4000-8000-000000000000'),
    remove(id('rachel.kim'), SKU.POWER_BI_PRO), // only from a group
    add(id('david.nguyen'), SKU.VISIO), // a rule the local rules do not know
  ]);
  const errors = outcomes.map((o) => (o.status === 'failed' ? o.error : o.status));
  expect(errors[0]).toMatchObject({ code: 'countViolation', params: { skuId: SKU.E5 } });
  expect(errors[1]).toMatchObject({ code: 'mutuallyExclusiveViolation', params: { servicePlanIds: ['9aaf7827-d63c-4b61-89c3-182f06f82e5c', 'efb87545-963c-4e0d-99df-69c6916d9eb0'] } });
  expect(errors[2]).toMatchObject({ code: 'dependencyViolation', params: { servicePlanIds: ['4ed3ff63-69d7-4fb7-b984-5aec7f605ca8', '4828c8ec-dc2e-4779-b502-87ac9ce28ab7'] } });
  expect(errors[3]).toMatchObject({ code: 'unknownSku', params: { skuId: '0badc0de-0000-4000-8000-000000000000' } });
  expect(errors[4]).toMatchObject({ code: 'inheritedFromGroup' });
  expect(errors[5]).toMatchObject({ code: 'other', params: { httpStatus: 400, graphCode: 'Request_BadRequest', message: UNCATALOGUED_MESSAGE } });
  expect(tenant.applied.get(id('jordan.miller'))).toBeUndefined();
});

test('a lost reply is settled by reading back: what landed counts once, what did not can be sent again', async () => {
  const tenant = fake.tenant(IDS.contoso);
  const kevin = id('kevin.obrien');
  const amelia = id('amelia.wright');
  const changes = [add(kevin, SKU.POWER_BI_PRO), { ...add(amelia, SKU.E5) }];
  fake.loseReplyOnce(IDS.contoso, kevin);
  const outcomes = await assignLicenses(client, IDS.contoso, changes);
  expect(outcomes.map((o) => o.status)).toEqual(['unknown', 'unknown']);
  expect(outcomes[0]).toMatchObject({ reason: 'connectionLost' });

  const settled = await settleByReadBack(client, IDS.contoso, changes);
  expect(settled.map((s) => s.decision)).toEqual(['applied', 'notApplied']);
  const again = await assignLicenses(client, IDS.contoso, settled.filter((s) => s.decision === 'notApplied').map((s) => s.change));
  expect(again[0]).toMatchObject({ status: 'failed', error: { code: 'countViolation' } });
  expect(tenant.applied.get(kevin)).toBe(1);
  expect(tenant.users.get(kevin)!.licenseAssignmentStates.filter((s) => s.skuId === SKU.POWER_BI_PRO)).toHaveLength(1);
});

test('a group-inherited license does not count as the direct one a read-back looks for', async () => {
  const rachel = id('rachel.kim'); // holds Power BI Pro from a group only (previous test)
  const [decision] = await settleByReadBack(client, IDS.contoso, [add(rachel, SKU.POWER_BI_PRO)]);
  expect(decision.decision).toBe('notApplied');
  expect(decision.user!.assignedLicenses!.map((l) => l.skuId)).toContain(SKU.POWER_BI_PRO);
});

test('a reply that never comes in time is unknown (timeout); reading back finds it applied once', async () => {
  const impatient = new GraphClient(fakeSettings(fake), { agent, timeoutMs: 400 });
  const ashley = id('ashley.johnson');
  const change = add(ashley, SKU.POWER_BI_PRO);
  fake.tenant(IDS.contoso).skus.find((s) => s.skuId === SKU.POWER_BI_PRO)!.prepaidUnits.enabled = 50;
  fake.stallReplyOnce(IDS.contoso, ashley, 3000);
  const [outcome] = await assignLicenses(impatient, IDS.contoso, [change]);
  expect(outcome).toMatchObject({ status: 'unknown', reason: 'timeout' });
  const [settled] = await settleByReadBack(impatient, IDS.contoso, [change]);
  expect(settled.decision).toBe('applied');
  expect(fake.tenant(IDS.contoso).applied.get(ashley)).toBe(1);
});
