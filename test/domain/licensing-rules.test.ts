// Every rule, with the demo tenants' notable users (data/demo/README.md), on the real emulator.
import type { Dataset } from '../../domain/dataset';
import type { LicenseService } from '../../domain/service';
import type { CosmosStore } from '../../domain/store/cosmos';
import { ADELE, ALEX, MEGAN, PLAN, SKU, expectSeatInvariant, request, userId } from '../support/demo';
import { closeStores, demoDataset, demoService } from '../support/store';
import { errorText } from '../../cards/i18n';

/** The domain returns codes and parameters; the words a user reads come from the cards. */
const inEnglish = (e: Parameters<typeof errorText>[0]) => errorText(e, 'en');

let data: Dataset;
let service: LicenseService;
let store: CosmosStore;
const id = (upn: string, customer?: string) => userId(data, upn, customer);

beforeAll(async () => {
  data = await demoDataset();
});
beforeEach(async () => {
  ({ store, service } = await demoService());
});
afterAll(closeStores);

async function applyOne(upn: string, partial: Parameters<typeof request>[0] extends infer R ? Omit<R & object, 'userIds'> : never, customer?: string) {
  const result = await service.apply(request({ ...partial, userIds: [id(upn, customer)], customerKey: customer ?? 'contoso' }));
  return result.results[0];
}

const available = async (skuId: string, customer = 'contoso') =>
  (await service.products(ALEX, customer)).find((p) => p.skuId === skuId)?.available;

describe('seat counts', () => {
  test('Office 365 E5 has no seats left: assigning it fails with countViolation and changes nothing', async () => {
    const r = await applyOne('rachel.kim', { licensesToAssign: [{ skuId: SKU.E5, disabledPlans: [] }] });
    expect(r.status).toBe('failed');
    expect(r.errors.map((e) => e.code)).toEqual(['countViolation']);
    expect(inEnglish(r.errors[0]).reason).toContain('0 available, 1 needed');
    expect(inEnglish(r.errors[0]).fix).toMatch(/Buy more Office 365 E5/);
    expect((await service.usersById(ALEX, 'contoso', [id('rachel.kim')]))[0].assignedLicenses).toEqual([]);
  });

  test('Visio Plan 2: suspended units are not assignable, so none are available', async () => {
    expect(await available(SKU.VISIO)).toBe(0);
    const r = await applyOne('rachel.kim', { licensesToAssign: [{ skuId: SKU.VISIO, disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['countViolation']);
  });

  test('Power BI Pro: warning units of the expired subscription are not offered (10 enabled, 7 used, 3 available)', async () => {
    expect(await available(SKU.POWER_BI_PRO)).toBe(3);
  });

  test('E3 for all 11 unlicensed users: 7 seats, so 7 succeed and 4 fail, counting only net new demand', async () => {
    const unlicensed = ['rachel.kim', 'lena.fischer', 'isla.robinson', 'william.turner', 'louis.martin', 'manon.laurent', 'theo.moreau', 'ananya.iyer', 'rohan.gupta', 'kavya.reddy', 'vikram.singh'];
    // Two users who already hold E3 ride along: they need no seat and must not count.
    const result = await service.apply(request({ userIds: [id('ashley.johnson'), ...unlicensed.map((u) => id(u)), id('jordan.miller')], licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] }));
    expect(result.counts).toEqual({ succeeded: 7, failed: 4, noChange: 2 });
    const failed = result.results.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.userPrincipalName.split('@')[0])).toEqual(['ananya.iyer', 'rohan.gupta', 'kavya.reddy', 'vikram.singh']);
    expect(failed[0].errors[0].params).toMatchObject({ available: 7, needed: 11 });
    expect(await available(SKU.E3)).toBe(0);
    await expectSeatInvariant(store);
  });

  test('revoking E3 from Kevin O\'Brien (a disabled account) frees a seat', async () => {
    const r = await applyOne('kevin.obrien', { mode: 'remove', licensesToRemove: [SKU.E3] });
    expect(r.status).toBe('succeeded');
    expect(r.removed).toEqual([SKU.E3]);
    expect(await available(SKU.E3)).toBe(8);
    await expectSeatInvariant(store);
  });
});

describe('usage location', () => {
  test.each(['tyler.anderson', 'katharina.schaefer'])('%s has no usage location: any assignment fails', async (upn) => {
    const r = await applyOne(upn, { licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['usageLocationMissing']);
    expect(inEnglish(r.errors[0]).fix).toMatch(/usage location/);
  });

  test('the calling plan is not sold in India: Priya Sharma fails with prohibitedInUsageLocation', async () => {
    const r = await applyOne('priya.sharma', { licensesToAssign: [{ skuId: SKU.CALLING_PLAN, disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['prohibitedInUsageLocation']);
    expect(inEnglish(r.errors[0]).reason).toContain('(IN)');
  });
});

describe('mutually exclusive service plans', () => {
  test('Exchange Online (Plan 1) for Jessica Ramirez, whose E3 has Exchange enabled, names both plans', async () => {
    const r = await applyOne('jessica.ramirez', { licensesToAssign: [{ skuId: SKU.EXCHANGE_P1, disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['mutuallyExclusiveViolation']);
    expect(inEnglish(r.errors[0]).reason).toContain('EXCHANGE_S_STANDARD');
    expect(inEnglish(r.errors[0]).reason).toContain('EXCHANGE_S_ENTERPRISE');
    expect(inEnglish(r.errors[0]).fix).toContain('Switch off EXCHANGE_S_ENTERPRISE in Office 365 E3');
  });

  test('the same for Thomas Richter at Fabrikam (Microsoft 365 E3)', async () => {
    const r = await applyOne('thomas.richter', { licensesToAssign: [{ skuId: SKU.EXCHANGE_P1, disabledPlans: [] }] }, 'fabrikam');
    expect(r.errors.map((e) => e.code)).toEqual(['mutuallyExclusiveViolation']);
  });

  test('it works once EXCHANGE_S_ENTERPRISE is switched off in her E3, in the same change', async () => {
    const r = await applyOne('jessica.ramirez', {
      licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [PLAN.EXCHANGE_S_ENTERPRISE] }, { skuId: SKU.EXCHANGE_P1, disabledPlans: [] }],
    });
    expect(r.status).toBe('succeeded');
    expect(r.added).toEqual([SKU.EXCHANGE_P1]);
    expect(r.updated).toEqual([SKU.E3]);
    await expectSeatInvariant(store);
  });
});

describe('dependencies', () => {
  test('calling plan for Ashley Johnson (no Teams Phone) fails: it needs MCOEV', async () => {
    const r = await applyOne('ashley.johnson', { licensesToAssign: [{ skuId: SKU.CALLING_PLAN, disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['dependencyViolation']);
    expect(inEnglish(r.errors[0]).reason).toContain('MCOEV');
    expect(inEnglish(r.errors[0]).fix).toMatch(/Assign MCOEV .* first, or together/);
  });

  test.each(['jonas.weber', 'michael.brooks'])('calling plan for %s works (Teams Phone, or E5 which contains it)', async (upn) => {
    const r = await applyOne(upn, { licensesToAssign: [{ skuId: SKU.CALLING_PLAN, disabledPlans: [] }] });
    expect(r.status).toBe('succeeded');
  });

  test('calling plan with Teams Phone in the same change works for Ashley', async () => {
    const r = await applyOne('ashley.johnson', { licensesToAssign: [{ skuId: SKU.TEAMS_PHONE, disabledPlans: [] }, { skuId: SKU.CALLING_PLAN, disabledPlans: [] }] });
    expect(r.status).toBe('succeeded');
    expect(r.added.sort()).toEqual([SKU.TEAMS_PHONE, SKU.CALLING_PLAN].sort());
  });

  test('revoking Teams Phone from Jordan Miller fails while he has the calling plan; the calling plan first works', async () => {
    const first = await applyOne('jordan.miller', { mode: 'remove', licensesToRemove: [SKU.TEAMS_PHONE] });
    expect(first.errors.map((e) => e.code)).toEqual(['dependencyViolation']);
    expect(inEnglish(first.errors[0]).reason).toMatch(/still depends on MCOEV/);
    const calling = await applyOne('jordan.miller', { mode: 'remove', licensesToRemove: [SKU.CALLING_PLAN] });
    expect(calling.status).toBe('succeeded');
    const phone = await applyOne('jordan.miller', { mode: 'remove', licensesToRemove: [SKU.TEAMS_PHONE] });
    expect(phone.status).toBe('succeeded');
    await expectSeatInvariant(store);
  });

  test('revoking both together works', async () => {
    const r = await applyOne('jordan.miller', { mode: 'remove', licensesToRemove: [SKU.TEAMS_PHONE, SKU.CALLING_PLAN] });
    expect(r.status).toBe('succeeded');
  });

  test('Copilot for Amelia Wright (Power BI Pro only) fails: no prerequisite; for Ashley Johnson (E3) it works', async () => {
    const amelia = await applyOne('amelia.wright', { licensesToAssign: [{ skuId: SKU.COPILOT, disabledPlans: [] }] });
    expect(amelia.errors.map((e) => e.code)).toEqual(['dependencyViolation']);
    expect(inEnglish(amelia.errors[0]).reason).toContain('Office 365 E3');
    const ashley = await applyOne('ashley.johnson', { licensesToAssign: [{ skuId: SKU.COPILOT, disabledPlans: [] }] });
    expect(ashley.status).toBe('succeeded');
  });
});

describe('service plans of existing holders', () => {
  test('assigning a product without naming plans keeps the plans holders switched off', async () => {
    const result = await service.apply(request({ userIds: [id('sophie.becker'), id('charlotte.davies'), id('rachel.kim')], licensesToAssign: [{ skuId: SKU.E3 }] }));
    expect(result.results.map((r) => r.status)).toEqual(['noChange', 'noChange', 'succeeded']);
    const [sophie] = await service.usersById(ALEX, 'contoso', [id('sophie.becker')]);
    expect(sophie.assignedLicenses).toEqual([{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER_ENTERPRISE] }]);
  });

  test('naming plans sets them for every holder: re-enabling Exchange for Charlotte collides with her Exchange Plan 1', async () => {
    const r = await applyOne('charlotte.davies', { licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['mutuallyExclusiveViolation']);
  });
});

describe('products', () => {
  test('Extra File Storage (a Company product) is never listed for users and cannot be assigned', async () => {
    expect((await service.products(ALEX, 'contoso')).map((p) => p.skuId)).not.toContain(SKU.FILE_STORAGE);
    const r = await applyOne('rachel.kim', { licensesToAssign: [{ skuId: SKU.FILE_STORAGE, disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['notAssignable']);
  });

  test('an unknown product is refused with unknownSku', async () => {
    const r = await applyOne('rachel.kim', { licensesToAssign: [{ skuId: '11111111-2222-3333-4444-555555555555', disabledPlans: [] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['unknownSku']);
  });

  test('switching off a plan that is not part of the product is refused', async () => {
    const r = await applyOne('rachel.kim', { licensesToAssign: [{ skuId: SKU.POWER_BI_PRO, disabledPlans: [PLAN.EXCHANGE_S_ENTERPRISE] }] });
    expect(r.errors.map((e) => e.code)).toEqual(['invalidDisabledPlans']);
  });

  test('assigning what a user holds, or removing what they do not hold, is noChange, not an error', async () => {
    const held = await applyOne('ashley.johnson', { licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] });
    expect(held.status).toBe('noChange');
    const notHeld = await applyOne('rachel.kim', { mode: 'remove', licensesToRemove: [SKU.E3] });
    expect(notHeld.status).toBe('noChange');
    expect(notHeld.errors).toEqual([]);
  });

  test('replace leaves the user with exactly the named products', async () => {
    const r = await applyOne('david.nguyen', { mode: 'replace', licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] });
    expect(r.status).toBe('succeeded');
    expect(r.removed.sort()).toEqual([SKU.COPILOT, SKU.POWER_BI_PRO].sort());
    expect(r.after.map((l) => l.skuId)).toEqual([SKU.E3]);
    await expectSeatInvariant(store);
  });

  test('an unknown user id fails that user alone', async () => {
    const result = await service.apply(request({ userIds: [id('rachel.kim'), '99999999-0000-0000-0000-000000000000'], licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] }));
    expect(result.results.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    expect(result.results[1].errors[0].code).toBe('userNotFound');
  });
});

describe('who may act', () => {
  test('Adele Vance may manage Fabrikam but not Contoso', async () => {
    await expect(service.preview(request({ requestedBy: ADELE, userIds: [id('rachel.kim')], licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] }))).rejects.toMatchObject({ code: 'accessDenied', reasonCode: 'customerOutOfScope' });
    const ok = await service.preview(request({ customerKey: 'fabrikam', requestedBy: ADELE, userIds: [id('thomas.richter', 'fabrikam')], mode: 'remove', licensesToRemove: [SKU.M365_E3] }));
    expect(ok.results[0].status).toBe('succeeded');
    expect((await service.customersFor(ADELE)).map((c) => c.key)).toEqual(['fabrikam']);
  });

  test('Megan Bowen (reader) can look but any change is refused, and nothing changes', async () => {
    expect((await service.customersFor(MEGAN)).length).toBe(2);
    await expect(service.apply(request({ requestedBy: MEGAN, userIds: [id('rachel.kim')], licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }] }))).rejects.toMatchObject({ code: 'accessDenied', reasonCode: 'roleCannot' });
    expect(await available(SKU.E3)).toBe(7);
  });

  test("the partner's admins are people of the partner's tenant: the same object id from another tenant is nobody", async () => {
    expect((await service.customersFor({ ...ALEX, tenantId: '74d8c4b8-8ad9-5c9d-966b-bc2a1106db91' })).length).toBe(2);
    await expect(service.customersFor({ ...ALEX, tenantId: '14fc36d2-5968-54aa-9bcc-1f57d075cff1' })).rejects.toMatchObject({ reasonCode: 'unknownAdmin' });
  });

  test('someone who is not an admin of the partner sees no customer', async () => {
    await expect(service.customersFor({ aadObjectId: 'someone-else' })).rejects.toMatchObject({ reasonCode: 'unknownAdmin' });
  });
});

describe('bad requests', () => {
  test.each([
    ['no users', { userIds: [] }],
    ['no products', { userIds: ['x'] }],
    ['the same product assigned and removed', { userIds: ['x'], licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }], licensesToRemove: [SKU.E3] }],
  ])('%s: a clear error, nothing written', async (_name, partial) => {
    await expect(service.apply(request(partial as never))).rejects.toMatchObject({ code: 'badRequest' });
    await expectSeatInvariant(store);
  });
});
