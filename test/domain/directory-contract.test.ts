// What every CustomerDirectory promises the operation runner (domain/directory-port.ts), checked on the
// Cosmos directory over the real emulator. A second directory (Graph) is added to `directories` and
// must pass the same cases; the seat ledger's holding of seats is Cosmos' own and checked apart.
import type { Dataset } from '../../domain/dataset';
import type { CustomerDirectory, DirectoryUserRecord, LicenseChangeMark } from '../../domain/directory-port';
import { cosmosBackends } from '../../domain/store/backends';
import { DirectoryRepository } from '../../domain/store/directory';
import { PartnerRepository } from '../../domain/store/partner';
import { GraphClient, GraphDirectory } from '../../domain/graph';
import { fakeSettings, trustingAgent } from '../support/graph-fake/client-setup';
import { GraphFake, IDS } from '../support/graph-fake/server';
import { SKU, userId } from '../support/demo';
import { losingReplies } from '../support/lossy';
import { closeStores, demoDataset, demoService } from '../support/store';

let data: Dataset;
beforeAll(async () => {
  data = await demoDataset();
});
const fakes: GraphFake[] = [];
const agent = trustingAgent();
afterAll(async () => {
  agent.destroy();
  await Promise.all(fakes.map((f) => f.stop()));
  await closeStores();
});

/** A directory on a fresh copy of the demo data; `loseReplies`: every write's reply is lost after it applied. */
type MakeDirectory = (loseReplies?: boolean) => Promise<CustomerDirectory>;
const directories: [string, MakeDirectory][] = [
  [
    'Cosmos',
    async (loseReplies = false) => {
      const { store } = await demoService();
      const directory = loseReplies ? losingReplies(store.containers.directory, () => true).container : store.containers.directory;
      return cosmosBackends({ containers: { ...store.containers, directory } }).directory;
    },
  ],
  [
    // Graph over HTTPS (the fake, through @azure/identity and the real client), mirrored in Cosmos.
    'Graph',
    async (loseReplies = false) => {
      const { store } = await demoService();
      const fake = await new GraphFake().start();
      fakes.push(fake);
      if (loseReplies) fake.loseReplyOnce(IDS.contoso, userId(data, 'rachel.kim'));
      const client = new GraphClient(fakeSettings(fake), { agent });
      return new GraphDirectory(client, new DirectoryRepository(store.containers.directory), new PartnerRepository(store.containers.partner));
    },
  ],
];

function markAdding(user: DirectoryUserRecord, skuId: string, key: string): LicenseChangeMark {
  const after = [...user.assignedLicenses, { skuId, disabledPlans: [] }];
  return { operationId: `op-${key}`, reservationKey: key, added: [skuId], removed: [], updated: [], before: user.assignedLicenses, after, at: new Date().toISOString() };
}

describe.each(directories)('%s directory', (_name, make) => {
  const read = async (directory: CustomerDirectory, upn: string) => (await directory.usersById('contoso', [userId(data, upn)])).get(userId(data, upn))!;

  test("a user's change lands whole, with its mark, and the same write again is recognised, not applied twice", async () => {
    const directory = await make();
    const rachel = await read(directory, 'rachel.kim');
    const mark = markAdding(rachel, SKU.E3, 'k1');
    expect((await directory.applyUserChange({ customerId: 'contoso', user: rachel, mark })).status).toBe('applied');
    // The runner repeats a write after a crash with the user as it first read it.
    expect((await directory.applyUserChange({ customerId: 'contoso', user: rachel, mark })).status).toBe('applied');
    const after = await read(directory, 'rachel.kim');
    expect(after.assignedLicenses.map((l) => l.skuId)).toEqual([SKU.E3]);
    expect(after.licenseChanges.filter((m) => m.reservationKey === 'k1')).toHaveLength(1);
  });

  test('a write decided on a user someone changed since is not applied, and says so', async () => {
    const directory = await make();
    const rachel = await read(directory, 'rachel.kim');
    await directory.applyUserChange({ customerId: 'contoso', user: rachel, mark: markAdding(rachel, SKU.E3, 'first') });
    const late = await directory.applyUserChange({ customerId: 'contoso', user: rachel, mark: markAdding(rachel, SKU.POWER_BI_PRO, 'second') });
    expect(late.status).toBe('changedSince');
    expect((await read(directory, 'rachel.kim')).assignedLicenses.map((l) => l.skuId)).toEqual([SKU.E3]);
  });

  test('a write whose reply is lost is settled by reading back: applied once', async () => {
    const directory = await make(true);
    const rachel = await read(directory, 'rachel.kim');
    const outcome = await directory.applyUserChange({ customerId: 'contoso', user: rachel, mark: markAdding(rachel, SKU.E3, 'lost') });
    expect(outcome.status).toBe('applied');
    const after = await read(directory, 'rachel.kim');
    expect(after.assignedLicenses.map((l) => l.skuId)).toEqual([SKU.E3]);
    expect(after.licenseChanges).toHaveLength(1);
  });

  test('users are read fresh, unknown ids are absent, and pages keep their order', async () => {
    const directory = await make();
    const found = await directory.usersById('contoso', [userId(data, 'rachel.kim'), '99999999-0000-0000-0000-000000000000']);
    expect([...found.keys()]).toEqual([userId(data, 'rachel.kim')]);
    const page = await directory.pageUsers('contoso', {}, 'first');
    expect(page.users.map((u) => u.sortKey)).toEqual([...page.users.map((u) => u.sortKey)].sort());
    expect(page.total).toBe(data.customers[0].users.length);
    expect((await directory.products('contoso')).map((p) => p.skuId)).toContain(SKU.E3);
  });
});

test('Cosmos seat ledger: a key holds its seats once, is settled once, and what it settles as taken stays counted', async () => {
  const { directory } = cosmosBackends((await demoService()).store);
  const free = async () => (await directory.seats.free('contoso', [SKU.E3])).get(SKU.E3);
  expect(await free()).toBe(7);
  expect((await directory.seats.reserve('contoso', 'k', [SKU.E3], new Map([[SKU.E3, 2]]))).get(SKU.E3)).toBe(2);
  // A repeat after a lost reply grants what the first did, however much it asks for.
  expect((await directory.seats.reserve('contoso', 'k', [SKU.E3], new Map([[SKU.E3, 5]]))).get(SKU.E3)).toBe(2);
  expect(await free()).toBe(5);
  const written = new Map([[SKU.E3, { added: 1, removed: 0 }]]);
  await directory.seats.settle('contoso', 'k', written);
  await directory.seats.settle('contoso', 'k', written);
  expect(await free()).toBe(6);
  const audit = await directory.seatAudit('contoso');
  expect(audit[SKU.E3]).toMatchObject({ consumed: 19, holders: 18, reservations: 0 }); // one seat taken for a write we never made
});
