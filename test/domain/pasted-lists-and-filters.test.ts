// A pasted list of 1,000 names resolved in one pass with the matching rules people know; filters for
// "select all matching"; the per-customer summary instead of reading every user's department.
import { bigTenant } from '../../bench/big-tenant';
import type { Dataset } from '../../domain/dataset';
import { importDataset } from '../../domain/dataset';
import type { DirectoryUser } from '../../domain/model';
import { NameIndex, resolveAmong } from '../../domain/user-resolution';
import { ALEX, SKU } from '../support/demo';
import { closeStores, demoDataset, directoryOf, emptyStore, serviceOn } from '../support/store';

jest.setTimeout(120_000);
afterAll(closeStores);

let data: Dataset;
let users: DirectoryUser[];
let service: ReturnType<typeof serviceOn>;
let store: Awaited<ReturnType<typeof emptyStore>>;

beforeAll(async () => {
  data = bigTenant(await demoDataset(), 1200);
  users = data.customers[0].users;
  // Two people with the same name, as large directories have.
  users.push({ ...users[5], id: 'b16c0000-0000-5000-8000-fffffffffff1', displayName: 'Sam Twin', userPrincipalName: 'sam.twin1@bigcorp.onmicrosoft.com', mail: 'sam@bigcorp.com' });
  users.push({ ...users[6], id: 'b16c0000-0000-5000-8000-fffffffffff2', displayName: 'Sam Twin', userPrincipalName: 'sam.twin2@bigcorp.onmicrosoft.com', mail: null });
  store = await emptyStore();
  await importDataset(store, data);
  service = serviceOn(store);
});

describe('a pasted list', () => {
  test('1,000 UPNs resolve to exactly those users, in the order pasted, with unknown ones named', async () => {
    const picked = users.slice(100, 1100);
    const names = [...picked.map((u) => u.userPrincipalName), 'nobody@bigcorp.onmicrosoft.com', picked[0].userPrincipalName.toUpperCase()];
    const r = await service.resolveUsers(ALEX, 'bigcorp', names);
    expect(r.users.map((u) => u.id)).toEqual(picked.map((u) => u.id));
    expect(r.unknown).toEqual(['nobody@bigcorp.onmicrosoft.com']);
    expect(r.ambiguous).toEqual([]);
  });

  test('mail addresses, user names and display names mixed; a shared name is ambiguous, not a guess', async () => {
    const many = users.slice(0, 30);
    const names = [...many.map((u, i) => (i % 3 === 0 ? u.mail! : i % 3 === 1 ? u.displayName : u.userPrincipalName.split('@')[0])), 'Sam Twin', 'sam@bigcorp.com'];
    const r = await service.resolveUsers(ALEX, 'bigcorp', names);
    expect(r.users.map((u) => u.id)).toEqual([...many.map((u) => u.id), 'b16c0000-0000-5000-8000-fffffffffff1']);
    expect(r.ambiguous.map((a) => [a.name, a.options.map((o) => o.userPrincipalName).sort()])).toEqual([
      ['Sam Twin', ['sam.twin1@bigcorp.onmicrosoft.com', 'sam.twin2@bigcorp.onmicrosoft.com']],
    ]);
  });

  test('a few names are searched and many read at once: both answer the same', async () => {
    const names = ['Sam Twin', 'dan', users[7].displayName, 'zoë', 'jordan miller 0000', users[9].userPrincipalName];
    const few = await service.resolveUsers(ALEX, 'bigcorp', names);
    const padded = await service.resolveUsers(ALEX, 'bigcorp', [...names, ...users.slice(200, 230).map((u) => u.userPrincipalName)]);
    expect(padded.users.slice(0, few.users.length)).toEqual(few.users);
    expect(padded.unknown).toEqual(few.unknown);
    expect(padded.ambiguous.map((a) => a.name)).toEqual(few.ambiguous.map((a) => a.name));
    expect(few.unknown).toEqual(['dan']);
    expect(few.ambiguous.map((a) => a.name)).toEqual(['Sam Twin', 'zoë']);
    expect(few.users.map((u) => u.id)).toEqual([users[7].id, users[0].id, users[9].id]);
  });
});

describe('the matching rules, in memory', () => {
  const people = [
    { id: '1', displayName: 'Rachel Kim', userPrincipalName: 'rachel.kim@contoso.onmicrosoft.com' },
    { id: '2', displayName: 'Rachel Kimball', userPrincipalName: 'rachel.kimball@contoso.onmicrosoft.com' },
    { id: '3', displayName: 'Jordan Miller', userPrincipalName: 'jordan.miller@contoso.onmicrosoft.com', mail: 'jordan@contoso.com' },
  ];
  const index = new NameIndex(people);
  test.each([
    ['Rachel Kim', 'one', '1'],
    ['rachel.kimball@contoso.onmicrosoft.com', 'one', '2'],
    ['jordan@contoso.com', 'one', '3'],
    ['rachel', 'ambiguous', undefined],
    ['dan', 'none', undefined],
    ['jord', 'one', '3'],
    ['mill jor', 'one', '3'],
  ])('%s → %s', (name, kind, id) => {
    const r = index.resolve(name);
    expect(r.kind).toBe(kind);
    if (r.kind === 'one') expect(r.user.id).toBe(id);
    // The index answers as a search over everyone would.
    expect(resolveAmong(name, people).kind).toBe(kind);
  });
  test('10,000 names against 100,000 users in one pass', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ id: `u${i}`, displayName: `Person ${i}`, userPrincipalName: `p${i}@x.com` }));
    const big = new NameIndex(many);
    const resolved = Array.from({ length: 10_000 }, (_, i) => big.resolve(i % 2 ? `p${i * 7}@x.com` : `Person ${i * 3}`));
    expect(resolved.every((r) => r.kind === 'one')).toBe(true);
  });
});

describe('filters for "select all matching"', () => {
  const count = (pred: (u: DirectoryUser) => boolean) => users.filter(pred).length;
  test.each([
    ['department', { department: 'Finance' }, (u: DirectoryUser) => u.department === 'Finance'],
    ['license held', { skuId: SKU.POWER_BI_PRO }, (u: DirectoryUser) => u.assignedLicenses.some((l) => l.skuId === SKU.POWER_BI_PRO)],
    ['license lacking', { lacksSkuId: SKU.POWER_BI_PRO }, (u: DirectoryUser) => !u.assignedLicenses.some((l) => l.skuId === SKU.POWER_BI_PRO)],
    ['usage location', { usageLocation: 'de' }, (u: DirectoryUser) => u.usageLocation === 'DE'],
    ['no usage location', { usageLocation: 'none' }, (u: DirectoryUser) => !u.usageLocation],
    ['disabled', { accountEnabled: false }, (u: DirectoryUser) => u.accountEnabled === false],
    ['enabled, in Sales, lacking Power BI', { accountEnabled: true, department: 'sales', lacksSkuId: SKU.POWER_BI_PRO }, (u: DirectoryUser) =>
      u.accountEnabled !== false && u.department === 'Sales' && !u.assignedLicenses.some((l) => l.skuId === SKU.POWER_BI_PRO)],
  ])('%s: the count on the button is the number of ids selected', async (_, filter, pred) => {
    const n = await service.countUsers(ALEX, 'bigcorp', filter);
    const ids = await service.userIdsMatching(ALEX, 'bigcorp', filter);
    expect(n).toBe(count(pred));
    expect(ids.length).toBe(n);
    expect(new Set(ids)).toEqual(new Set(users.filter(pred).map((u) => u.id)));
  });
});

describe('the per-customer summary', () => {
  test('departments come from the summary the import wrote, and it is rebuilt when missing', async () => {
    const expected = [...new Set(users.map((u) => u.department!))].sort((a, b) => a.localeCompare(b));
    expect(await service.departments(ALEX, 'bigcorp')).toEqual(expected);
    const directory = directoryOf(store);
    await store.containers.directory.item('summary:directory', 'bigcorp').delete();
    expect((await directory.summary('bigcorp')).departments).toEqual(expected);
    expect((await directory.summary('bigcorp')).userCount).toBe(users.length);
  });
});

describe('pages and counts after a change', () => {
  test('a license change shows in the license filter and its count once saved, and pages stay aligned', async () => {
    const before = await service.countUsers(ALEX, 'bigcorp', { skuId: SKU.VISIO });
    const target = users.filter((u) => u.usageLocation).slice(0, 3).map((u) => u.id);
    await service.apply({ customerKey: 'bigcorp', userIds: target, requestedBy: ALEX, idempotencyKey: `visio-${Date.now()}`, mode: 'add', licensesToAssign: [{ skuId: SKU.VISIO, disabledPlans: [] }] });
    expect(await service.countUsers(ALEX, 'bigcorp', { skuId: SKU.VISIO })).toBe(before + 3);
    const page = await service.listUsers(ALEX, 'bigcorp', { skuId: SKU.VISIO }, 'first');
    expect(page.users.map((u) => u.id).sort()).toEqual(expect.arrayContaining(target.sort()));
    const last = await service.listUsers(ALEX, 'bigcorp', {}, 'last');
    expect(last.pageNumber).toBe(last.pageCount);
    expect(last.users.length).toBe(users.length % 20 || 20);
    const previous = await service.listUsers(ALEX, 'bigcorp', {}, 'previous', { firstKey: last.firstKey });
    expect(previous.pageNumber).toBe(last.pageCount - 1);
    expect(previous.lastKey! < last.firstKey!).toBe(true);
  });
});
