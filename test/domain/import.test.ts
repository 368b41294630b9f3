// Import of a Graph-shaped data set: good data loads (twice = once), bad data is refused whole.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runImportCli } from '../support/import-cli';
import { DatasetError, importDataset, loadDataset } from '../../domain/dataset';
import { queryAll } from '../../domain/store/cosmos';
import { DirectoryRepository } from '../../domain/store/directory';
import { ALEX } from '../support/demo';
import { DEMO_DIR, closeStores, emptyStore, emulatorEndpoint, serviceOn } from '../support/store';

afterAll(closeStores);

async function everything(store: Awaited<ReturnType<typeof emptyStore>>) {
  const docs = [];
  for (const c of Object.values(store.containers)) {
    // Revisions are times, and the page index's base is written anew (its generation named by the time):
    // what it holds is compared on its own, below.
    const all = await queryAll<Record<string, unknown>>(c, 'SELECT * FROM c', []);
    docs.push(...all.filter((d) => !String(d.type).startsWith('userIndex')).map(({ _ts, _etag, _rid, _self, _attachments, importedAt, rev, ...d }) => d));
  }
  return docs.sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/** A copy of the demo data set with one file changed. */
async function brokenCopy(file: string, change: (json: any) => unknown): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-import-'));
  await cp(DEMO_DIR, dir, { recursive: true });
  const target = path.join(dir, file);
  const changed = change(JSON.parse(await readFile(target, 'utf8')));
  await writeFile(target, typeof changed === 'string' ? changed : JSON.stringify(changed));
  return dir;
}

test('the demo data set loads: both customers, their products and users, ready to use', async () => {
  const store = await emptyStore();
  const counts = await importDataset(store, await loadDataset(DEMO_DIR));
  expect(counts).toEqual({ customers: 2, products: 11, users: 55 });
  const service = serviceOn(store);
  expect((await service.customersFor(ALEX)).map((c) => c.displayName)).toEqual(['Contoso Ltd.', 'Fabrikam GmbH']);
  expect((await service.products(ALEX, 'contoso')).find((p) => p.displayName === 'Office 365 E3')?.available).toBe(7);
});

test('loading the same data twice leaves the store exactly as after once (but for the time of the import)', async () => {
  const store = await emptyStore();
  await importDataset(store, await loadDataset(DEMO_DIR));
  const once = await everything(store);
  const indexed = async () => ({ contoso: await new DirectoryRepository(store.containers.directory).nameEntries('contoso'), fabrikam: await new DirectoryRepository(store.containers.directory).nameEntries('fabrikam') });
  const indexOnce = await indexed();
  await importDataset(store, await loadDataset(DEMO_DIR));
  expect(await everything(store)).toEqual(once);
  expect(await indexed()).toEqual(indexOnce);
});

test('an import never rolls back changes made in License Desk unless asked to (--replace)', async () => {
  const store = await emptyStore();
  await importDataset(store, await loadDataset(DEMO_DIR));
  const service = serviceOn(store);
  const [user] = (await service.listUsers(ALEX, 'contoso', { text: 'rachel kim' }, 'first')).users;
  await service.apply({ customerKey: 'contoso', userIds: [user.id], licensesToAssign: [{ skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900' }], requestedBy: ALEX, idempotencyKey: 'import-test-rachel-e3' });
  const refused = await importDataset(store, await loadDataset(DEMO_DIR)).catch((e) => e);
  expect(refused).toBeInstanceOf(DatasetError);
  expect(refused.message).toMatch(/contoso has 1 license change\(s\) made in License Desk since its last import, .* --replace/);
  expect((await service.usersById(ALEX, 'contoso', [user.id]))[0].assignedLicenses).toHaveLength(1);
  await importDataset(store, await loadDataset(DEMO_DIR), { replace: true });
  expect((await service.usersById(ALEX, 'contoso', [user.id]))[0].assignedLicenses).toHaveLength(0);
  // Once replaced, a fresh export loads without --replace again: nothing was changed since.
  await expect(importDataset(store, await loadDataset(DEMO_DIR))).resolves.toMatchObject({ customers: 2 });
});

describe('a bad file is refused with file, field and what is wrong, and nothing is written', () => {
  const cases: [string, string, (j: any) => unknown, RegExp][] = [
    ['invalid JSON', 'tenants/contoso/users.json', () => '{ "value": [', /tenants\/contoso\/users\.json: \(file\): not valid JSON/],
    ['a number that is text', 'tenants/contoso/subscribedSkus.json', (j) => ((j.value[0].consumedUnits = 'eighteen'), j), /subscribedSkus\.json: value\.0\.consumedUnits: .*number/],
    ['a user without a UPN', 'tenants/fabrikam/users.json', (j) => (delete j.value[2].userPrincipalName, j), /fabrikam\/users\.json: value\.2\.userPrincipalName/],
    ['a license of a product the tenant does not have', 'tenants/contoso/users.json', (j) => ((j.value[0].assignedLicenses[0].skuId = '00000000-1111-2222-3333-444444444444'), j), /value\.0\.assignedLicenses\.0\.skuId: jordan\.miller@.* not in subscribedSkus\.json/],
    ['seat counts that do not match the users', 'tenants/contoso/subscribedSkus.json', (j) => ((j.value[0].consumedUnits = 3), j), /value\.0\.consumedUnits: is 3, but 18 users in users\.json hold ENTERPRISEPACK/],
    ['an admin with a role that does not exist', 'partner.json', (j) => ((j.admins[1].role = 'owner'), j), /partner\.json: admins\.1\.role: unknown role "owner"/],
    ['a rules file of another version', 'product-rules.json', (j) => ((j.version = 2), j), /product-rules\.json: version/],
    ['an organization of another tenant', 'tenants/fabrikam/organization.json', (j) => ((j.value[0].id = 'ffffffff-0000-0000-0000-000000000000'), j), /fabrikam\/organization\.json: value\.0\.id: is ffffffff/],
  ];
  test.each(cases)('%s', async (_name, file, change, message) => {
    const dir = await brokenCopy(file, change);
    try {
      const store = await emptyStore();
      const error = await loadDataset(dir).then(() => undefined, (e) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/nothing was written/);
      expect(await everything(store)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing folder', async () => {
    await expect(loadDataset('/nonexistent/data')).rejects.toThrow(/not a directory/);
  });
});

describe('npm run import', () => {
  const run = runImportCli;

  test('loads a directory into the configured Cosmos DB; a bad one exits 1 saying why, writing nothing', async () => {
    const endpoint = await emulatorEndpoint();
    const env = { COSMOS_ENDPOINT: endpoint, COSMOS_KEY: 'k', COSMOS_DATABASE: `cli-${process.pid}` };
    const bad = await brokenCopy('tenants/contoso/users.json', () => 'nope');
    const refused = await run([bad], env);
    await rm(bad, { recursive: true, force: true });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/tenants\/contoso\/users\.json: \(file\): not valid JSON/);

    const ok = await run([DEMO_DIR], env);
    expect(ok.stdout).toContain('Imported 2 customers, 11 products and 55 users');
    expect(ok.code).toBe(0);

    const noDb = await run([DEMO_DIR], { COSMOS_ENDPOINT: '' });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/COSMOS_ENDPOINT is not set/);
  });
});

test('an import is refused, even with --replace, while a license change is running for the customer', async () => {
  const store = await emptyStore();
  await importDataset(store, await loadDataset(DEMO_DIR));
  const dying = serviceOn(store, { crashAfterUserWrites: 0 });
  const [user] = (await dying.listUsers(ALEX, 'contoso', { text: 'rachel kim' }, 'first')).users;
  await dying.apply({ customerKey: 'contoso', userIds: [user.id], licensesToAssign: [{ skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900' }], requestedBy: ALEX, idempotencyKey: 'import-test-running' }).catch(() => undefined);
  const refused = await importDataset(store, await loadDataset(DEMO_DIR), { replace: true }).catch((e) => e);
  expect(refused).toBeInstanceOf(DatasetError);
  expect(refused.message).toMatch(/contoso has a license change running/);
});
