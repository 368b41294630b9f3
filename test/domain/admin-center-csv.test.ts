// The export's rows read on their own (no files, no database): the edges a real export can have.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readUsersExport } from '../../domain/admin-center-csv';
import type { SubscribedSku } from '../../domain/model';
import { SKU } from '../support/demo';

let skus: SubscribedSku[];
beforeAll(async () => {
  skus = JSON.parse(await readFile(path.resolve(__dirname, '../../data/demo/tenants/contoso/subscribedSkus.json'), 'utf8')).value;
});
const context = () => ({ tenantId: '14fc36d2-5968-54aa-9bcc-1f57d075cff1', skus, initialDomain: 'contoso.onmicrosoft.com' });
const HEADER = 'Display name,User principal name,Usage location,Block credential,Licenses';

test('licenses without a tenant prefix, in any case, empty or Unlicensed; other columns left out are null', () => {
  const csv = `${HEADER}\r\nA,a@contoso.com,us,false,enterprisepack+contoso:MCOEV\r\nB,b@contoso.com,,TRUE,\r\nC,c@contoso.com,DE,False,unlicensed\r\n`;
  const { users, problems } = readUsersExport(csv, context());
  expect(problems).toEqual([]);
  expect(users.map((u) => [u.usageLocation, u.accountEnabled, u.assignedLicenses.map((l) => l.skuId)])).toEqual([
    ['US', true, [SKU.E3, SKU.TEAMS_PHONE]],
    [null, false, []],
    ['DE', true, []],
  ]);
  expect(users[0]).toMatchObject({ givenName: null, surname: null, jobTitle: null, department: null, country: null, mail: null });
});

test('the primary SMTP address becomes mail, also among several proxy addresses and with a + in an address', () => {
  const csv = `${HEADER},Proxy addresses\nA,a@contoso.com,US,False,Unlicensed,smtp:old@contoso.com+SMTP:ann+news@contoso.com+X500:/o=Contoso\n`;
  expect(readUsersExport(csv, context()).users[0].mail).toBe('ann+news@contoso.com');
});

test('a column twice, a license listed twice, an empty display name', () => {
  expect(readUsersExport(`${HEADER},licenses\n`, context()).problems).toEqual([{ line: 1, column: 'licenses', message: 'column appears twice (also column 5)' }]);
  expect(readUsersExport(`${HEADER}\nA,a@contoso.com,US,False,contoso:MCOEV+contoso:mcoev\n,b@contoso.com,US,False,Unlicensed\n`, context()).problems).toEqual([
    { line: 2, column: 'Licenses', message: 'MCOEV is listed twice' },
    { line: 3, column: 'Display name', message: 'empty' },
  ]);
});

test('a file full of mistakes lists the first 50 and says it stopped; no user comes back', () => {
  const rows = Array.from({ length: 80 }, (_, i) => `U${i},u${i}@contoso.com,US,maybe,Unlicensed`);
  const { users, problems } = readUsersExport([HEADER, ...rows].join('\n'), context());
  expect(users).toEqual([]);
  expect(problems).toHaveLength(51);
  expect(problems[50]).toEqual({ line: 52, message: 'stopped after 50 problems; the rest of the file was not checked' });
});
