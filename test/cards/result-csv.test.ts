// Download CSV of a result: one line per user an admin can hand on, in English and German, and no cell
// a spreadsheet would run as a formula.
import { csvCell, resultCsv, resultCsvFileName } from '../../cards/result-csv';
import { parseCsv } from '../../domain/csv';
import type { UserChangePlan } from '../../domain/rules';
import type { OperationResult } from '../../domain/service';
import { SKU, request, userId } from '../support/demo';
import { closeStores, demoDataset, demoService } from '../support/store';

afterAll(closeStores);

const table = (csv: string) => parseCsv(csv).map((r) => r.fields);
let result: OperationResult;
let productName: (skuId: string) => string;

beforeAll(async () => {
  const data = await demoDataset();
  const { service } = await demoService({}, data);
  const names = Object.fromEntries(data.customers[0].skus.map((s) => [s.skuId, data.rules.displayNames[s.skuPartNumber] ?? s.skuPartNumber]));
  productName = (id) => names[id] ?? id;
  // Rachel Kim gets E3; Tyler Anderson has no usage location; Jordan Miller holds E3 already.
  // Jordan's calling plan goes away; Ashley Johnson has none to remove.
  result = await service.apply(request({
    userIds: ['rachel.kim', 'tyler.anderson', 'jordan.miller', 'ashley.johnson'].map((u) => userId(data, u)),
    licensesToAssign: [{ skuId: SKU.E3 }],
    licensesToRemove: [SKU.CALLING_PLAN],
  }));
});

test('one line per user, failures first, with what was assigned and removed, and each failure\'s reason and fix', () => {
  const csv = resultCsv('en', { result, productName });
  expect(csv.startsWith('\uFEFFUser,UPN,Outcome,Assigned,Removed,Reason,Fix\r\n')).toBe(true);
  expect(csv.endsWith('\r\n')).toBe(true);
  const [header, ...rows] = table(csv);
  expect(header).toEqual(['User', 'UPN', 'Outcome', 'Assigned', 'Removed', 'Reason', 'Fix']);
  expect(rows).toHaveLength(4);
  expect(rows[0]).toEqual([
    'Tyler Anderson', 'tyler.anderson@contoso.onmicrosoft.com', 'Failed', '', '',
    'The user has no usage location, so no license can be assigned.',
    "Set the user's usage location (country) in the Microsoft 365 admin center, then retry.",
  ]);
  const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
  expect(byName['Rachel Kim'].slice(2, 7)).toEqual(['Updated', 'Office 365 E3', '', '', '']);
  expect(byName['Jordan Miller'].slice(2, 5)).toEqual(['Updated', '', 'Skype for Business PSTN Domestic Calling']);
  expect(byName['Ashley Johnson'].slice(2, 5)).toEqual(['Unchanged', '', '']);
});

test('in German: the columns, the outcomes and the reasons', () => {
  const [header, ...rows] = table(resultCsv('de', { result, productName }));
  expect(header).toEqual(['Benutzer', 'UPN', 'Ergebnis', 'Zugewiesen', 'Entzogen', 'Grund', 'Lösung']);
  expect(rows[0].slice(2)).toEqual(['Fehlgeschlagen', '', '', 'Der Benutzer hat keinen Nutzungsstandort, daher kann keine Lizenz zugewiesen werden.', expect.stringContaining('Nutzungsstandort (Land)')]);
  expect(rows.map((r) => r[2]).sort()).toEqual(['Aktualisiert', 'Aktualisiert', 'Fehlgeschlagen', 'Unverändert']);
});

test('names from the directory never become formulas, and commas, quotes and line breaks survive', () => {
  const plan = (displayName: string, upn: string): UserChangePlan => ({
    userId: displayName, displayName, userPrincipalName: upn, status: 'noChange', before: [], after: [], added: [], removed: [], updated: [], errors: [],
  });
  const hostile = ['=HYPERLINK("http://evil.example","click")', '+49 30 1234', '-2+3', '@SUM(A1:A9)', '\tTab', "O'Brien, Kevin \"KO\"\r\nSales"];
  const csv = resultCsv('en', { result: { results: hostile.map((n) => plan(n, `${n.length}@contoso.com`)) }, productName });
  const names = table(csv).slice(1).map((r) => r[0]);
  expect(names).toEqual([`'=HYPERLINK("http://evil.example","click")`, "'+49 30 1234", "'-2+3", "'@SUM(A1:A9)", "'\tTab", "O'Brien, Kevin \"KO\"\r\nSales"]);
  expect(csvCell('=1+1')).toBe("'=1+1");
  expect(csvCell('a;b', ';')).toBe('"a;b"');
  expect(csvCell('a;b')).toBe('a;b');
  expect(csvCell('say "hi"')).toBe('"say ""hi"""');
});

test('with ";" for a German Excel, every line still has seven cells', () => {
  const csv = resultCsv('de', { result, productName }, { separator: ';' });
  const lines = csv.slice(1).trimEnd().split('\r\n');
  expect(lines[0]).toBe('Benutzer;UPN;Ergebnis;Zugewiesen;Entzogen;Grund;Lösung');
  // Re-read with ";" as the separator: the texts' commas set aside, then ";" swapped for the reader's comma.
  const swapped = csv.replace(/,/g, '\u0001').replace(/;/g, ',');
  for (const r of table(swapped)) expect(r).toHaveLength(7);
});

test('a file name that says what and whose', () => {
  expect(resultCsvFileName('en', { key: 'contoso' }, '2026-12-01T10:15:42.000Z')).toBe('licenses-updated-contoso-2026-12-01-1015.csv');
  expect(resultCsvFileName('de', { key: 'fabrikam' }, result.createdAt)).toMatch(/^lizenzen-aktualisiert-fabrikam-\d{4}-\d\d-\d\d-\d{4}\.csv$/);
});
