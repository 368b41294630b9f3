// How people type commands, in English and German, and how names become products.
import { parseCommand, splitList } from '../../bot/commands/parse';
import { matchProduct, matchUser } from '../../bot/matching';
import { Catalog } from '../../domain/catalog';
import { demoDataset } from '../support/store';

describe('commands', () => {
  test.each([
    ['help', { name: 'help' }, 'en'],
    ['HILFE', { name: 'help' }, 'de'],
    ['<at>License Desk</at> customers', { name: 'customers' }, 'en'],
    ['use Contoso', { name: 'use', customer: 'Contoso' }, 'en'],
    ['kunde Fabrikam GmbH', { name: 'use', customer: 'Fabrikam GmbH' }, 'de'],
    ['users', { name: 'users', filter: undefined }, 'en'],
    ['users sales', { name: 'users', filter: 'sales' }, 'en'],
    ['Benutzer Vertrieb', { name: 'users', filter: 'Vertrieb' }, 'de'],
    ['selected', { name: 'selected' }, 'en'],
    ['ausgewählt', { name: 'selected' }, 'de'],
    ['licenses', { name: 'licenses' }, 'en'],
    ['Lizenzen', { name: 'licenses' }, 'de'],
    ['history', { name: 'history' }, 'en'],
    ['verlauf', { name: 'history' }, 'de'],
  ])('%s', (text, command, lang) => {
    expect(parseCommand(text)).toEqual({ command, lang });
  });

  test('assign several products to selected users', () => {
    expect(parseCommand('Assign Office 365 E3, Teams Phone and Copilot to selected users').command).toEqual({
      name: 'assign',
      products: ['Office 365 E3', 'Teams Phone', 'Copilot'],
      users: 'selected',
    });
  });

  test('assign to named users, with an @mention in a channel', () => {
    expect(parseCommand('<at>License Desk</at> assign offce 365 e3 to Rachel Kim, jordan.miller@contoso.onmicrosoft.com').command).toEqual({
      name: 'assign',
      products: ['offce 365 e3'],
      users: ['Rachel Kim', 'jordan.miller@contoso.onmicrosoft.com'],
    });
  });

  test('German: zuweisen … an ausgewählte Benutzer, entziehen … von …', () => {
    expect(parseCommand('zuweisen Office 365 E3 an ausgewählte Benutzer')).toEqual({ command: { name: 'assign', products: ['Office 365 E3'], users: 'selected' }, lang: 'de' });
    expect(parseCommand('entziehen Teams Phone von Jordan Miller und Jonas Weber')).toEqual({
      command: { name: 'revoke', products: ['Teams Phone'], users: ['Jordan Miller', 'Jonas Weber'] },
      lang: 'de',
    });
  });

  test('revoke … from the selected users', () => {
    expect(parseCommand('REVOKE power bi pro FROM the selected users').command).toEqual({ name: 'revoke', products: ['power bi pro'], users: 'selected' });
  });

  test('unknown text is unknown (and gets help)', () => {
    expect(parseCommand('make me a sandwich').command).toEqual({ name: 'unknown', text: 'make me a sandwich' });
  });

  test('lists split on commas, semicolons, and/und', () => {
    expect(splitList('A, B; C and D und "E"')).toEqual(['A', 'B', 'C', 'D', 'E']);
  });
});

describe('product names', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    const data = await demoDataset();
    catalog = new Catalog(data.customers[0].skus, data.rules);
  });
  const match = (q: string) => {
    const m = matchProduct(q, catalog.userProducts(), (p) => catalog.namesOf(catalog.sku(p.skuId)!));
    return m.kind === 'one' ? m.item.displayName : m.kind === 'ambiguous' ? `ambiguous: ${m.options.map((p) => p.displayName).sort().join(' | ')}` : 'none';
  };

  test.each([
    ['Office 365 E3', 'Office 365 E3'],
    ['office 365 e3', 'Office 365 E3'],
    ['ENTERPRISEPACK', 'Office 365 E3'],
    ['offce 365 e3', 'Office 365 E3'],
    ['Ofice 365 E5', 'Office 365 E5'],
    ['E3', 'Office 365 E3'],
    ['Teams Phone', 'Microsoft Teams Phone Standard'],
    ['Microsoft 365 Copilot', 'Copilot for Microsoft 365'],
    ['copilot', 'Copilot for Microsoft 365'],
    ['Domestic Calling Plan', 'Skype for Business PSTN Domestic Calling'],
    ['power bi', 'Power BI Pro'],
  ])('"%s" is %s', (q, expected) => {
    expect(match(q)).toBe(expected);
  });

  test('"Office 365" is ambiguous: choices, not a guess (Extra File Storage is not offered to users)', () => {
    expect(match('Office 365')).toBe('ambiguous: Office 365 E3 | Office 365 E5');
  });

  test('something unrelated matches nothing', () => {
    expect(match('Dynamics 365 Sales')).toBe('none');
  });
});

describe('user names', () => {
  const users = [
    { id: '1', displayName: 'Rachel Kim', userPrincipalName: 'rachel.kim@contoso.onmicrosoft.com' },
    { id: '2', displayName: 'Rachel Kimball', userPrincipalName: 'rachel.kimball@contoso.onmicrosoft.com' },
  ];
  test('full name or UPN picks one user even when a search finds more', () => {
    expect(matchUser('Rachel Kim', users)).toEqual({ kind: 'one', item: users[0] });
    expect(matchUser('RACHEL.KIMBALL@contoso.onmicrosoft.com', users)).toEqual({ kind: 'one', item: users[1] });
    expect(matchUser('rachel.kim', users)).toEqual({ kind: 'one', item: users[0] });
  });
  test('a partial name that fits two users is ambiguous', () => {
    expect(matchUser('rachel', users).kind).toBe('ambiguous');
  });
  test('a search hit inside a word is not a match: "dan" is not Jordan', () => {
    const jordan = { id: '3', displayName: 'Jordan Miller', userPrincipalName: 'jordan.miller@contoso.onmicrosoft.com' };
    expect(matchUser('dan', [jordan]).kind).toBe('none');
    expect(matchUser('jord', [jordan])).toEqual({ kind: 'one', item: jordan });
  });
  test('when the search found more users than it returned, a single prefix hit is a choice, not a pick', () => {
    const leela = { id: '4', displayName: 'Leela Roy', userPrincipalName: 'leela.roy@contoso.onmicrosoft.com' };
    expect(matchUser('lee', [leela], true).kind).toBe('ambiguous');
    expect(matchUser('Leela Roy', [leela], true).kind).toBe('one'); // the full name is exact
  });
});
