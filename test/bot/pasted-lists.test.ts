// Lists pasted into a chat: one per line, commas, semicolons; UPNs, mail addresses, display names. With
// `assign … to` and `select`; a long list goes ahead with who was found and lists the rest, count first.
import { bigTenant } from '../../bench/big-tenant';
import { parseCommand } from '../../bot/commands/parse';
import { sessionIdFor } from '../../bot/session';
import type { Dataset } from '../../domain/dataset';
import { closeStores, demoDataset, demoService } from '../support/store';
import { FakeConnector, PEOPLE, TeamsHarness, buttons, personalChat, textOf } from '../support/teams';

describe('parsing a pasted list', () => {
  test('one per line, commas and semicolons mixed, as Teams sends a paste (\\n, or <br> and paragraphs)', () => {
    const text = 'assign Power BI Pro to\nrachel.kim@contoso.com\r\nJordan Miller; leela@contoso.com,\nMegan<br>Adele</p><p>Lee';
    expect(parseCommand(text).command).toEqual({ name: 'assign', products: ['Power BI Pro'], users: ['rachel.kim@contoso.com', 'Jordan Miller', 'leela@contoso.com', 'Megan', 'Adele', 'Lee'] });
    expect(parseCommand('revoke Visio from\n\nselected users').command).toEqual({ name: 'revoke', products: ['Visio'], users: 'selected' });
  });
  test('select <list>, in English and German', () => {
    expect(parseCommand('select a@x.com\nb@x.com').command).toEqual({ name: 'select', users: ['a@x.com', 'b@x.com'] });
    expect(parseCommand('auswählen Anna Schmidt; b@x.com')).toEqual({ command: { name: 'select', users: ['Anna Schmidt', 'b@x.com'] }, lang: 'de' });
    expect(parseCommand('selected').command).toEqual({ name: 'selected' });
  });
  test('a 400,000-character message parses in one pass: 10,000 UPNs come out whole', () => {
    const upns = Array.from({ length: 10_000 }, (_, i) => `someone.with.a.long.name.${i}@contoso.onmicrosoft.com`);
    const text = `assign Power BI Pro to\n${upns.join('\n')}`;
    expect(text.length).toBeGreaterThan(400_000);
    const parsed = parseCommand(text).command;
    expect(parsed).toEqual({ name: 'assign', products: ['Power BI Pro'], users: upns });
  });
  test('hostile pastes stay linear: thousands of "<p", "<at>" and separators without names', () => {
    for (const junk of ['<p'.repeat(100_000), '<at>'.repeat(50_000), ' ;'.repeat(100_000), `select ${',; \n'.repeat(50_000)}x`]) {
      expect(parseCommand(`assign E3 to ${junk}`).command.name).toBe('assign');
    }
  });
});

describe('a pasted list in the chat', () => {
  let data: Dataset;
  let teams: TeamsHarness;
  let connector: FakeConnector;
  const chat = personalChat(PEOPLE.alex);

  beforeAll(async () => {
    data = bigTenant(await demoDataset(), 1200);
    const { store } = await demoService({}, data);
    connector = await new FakeConnector().start();
    teams = await new TeamsHarness(store, connector).start();
    await teams.sessions().update(sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId), (s) => ({ ...s, customerKey: 'bigcorp' }));
  }, 120_000);
  afterAll(async () => {
    await teams.stop();
    await connector.stop();
    await closeStores();
  });

  test('assign Power BI Pro to 1,000 pasted UPNs opens Manage licenses for them, naming the 3 not found', async () => {
    const users = data.customers[0].users;
    const upns = users.slice(0, 1000).map((u) => u.userPrincipalName);
    const text = `assign Power BI Pro to\n${[...upns.slice(0, 500), 'ghost.one@bigcorp.onmicrosoft.com', ...upns.slice(500), 'Ghost Two', 'ghost3'].join('\n')}`;
    const card = (await teams.say(chat, text)).card;
    const shown = textOf(card);
    expect(shown).toContain('Selection set to 1000 users from your command.');
    expect(shown).toContain('3 not found: ghost.one@bigcorp.onmicrosoft.com, Ghost Two, ghost3');
    expect(shown).toContain('Manage licenses');
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(26 * 1024);
  }, 180_000);

  test('select with display names and mail addresses shows the selected users; an ambiguous name is listed, not picked', async () => {
    const users = data.customers[0].users;
    const names = [...users.slice(0, 25).map((u, i) => (i % 2 ? u.displayName : u.mail!)), 'jordan'];
    const card = (await teams.say(chat, `select ${names.join('; ')}`)).card;
    const shown = textOf(card);
    expect(shown).toContain('Selection set to 25 users from your list.');
    expect(shown).toContain('1 ambiguous (more than one user fits; paste the UPN): jordan');
  }, 180_000);

  test('"Select all N matching" beside "Select all on this page" selects everyone the filter matches, on every page', async () => {
    const finance = data.customers[0].users.filter((u) => u.department === 'Finance').length;
    await teams.sessions().update(sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId), (s) => ({ ...s, selected: [] }));
    const users = await teams.say(chat, 'users');
    const filtered = await teams.press(chat, users.id, users.card, 'Apply filter', { filterDepartment: 'Finance' });
    expect(buttons(filtered.card).map((b) => b.title)).toEqual(expect.arrayContaining(['Select all on this page', `Select all ${finance} matching`]));
    const after = await teams.press(chat, users.id, filtered.card, `Select all ${finance} matching`);
    expect(textOf(after.card)).toContain(`${finance} selected`);
    const all = await teams.press(chat, users.id, after.card, 'Clear filter');
    expect(buttons(all.card).map((b) => b.title)).toContain(`Select all ${data.customers[0].users.length.toLocaleString("en-US")} matching`);
  }, 180_000);

  test('filters for license lacking, usage location and sign-in, and the count of who matches', async () => {
    const pbi = 'f8a1db68-be16-40ed-86d5-cb42ce701560';
    const expected = data.customers[0].users.filter((u) => u.usageLocation === 'DE' && u.accountEnabled !== false && !u.assignedLicenses.some((l) => l.skuId === pbi)).length;
    const users = await teams.say(chat, 'users');
    const filtered = await teams.press(chat, users.id, users.card, 'Apply filter', { filterLicense: `!${pbi}`, filterLocation: 'DE', filterStatus: 'enabled' });
    expect(textOf(filtered.card)).toContain(`· ${expected} users`);
    expect(buttons(filtered.card).map((b) => b.title)).toContain(`Select all ${expected} matching`);
    const blocked = await teams.press(chat, users.id, filtered.card, 'Apply filter', { filterLicense: '*', filterLocation: '*', filterStatus: 'disabled' });
    expect(textOf(blocked.card)).toContain(`· ${data.customers[0].users.filter((u) => u.accountEnabled === false).length} users`);
    await teams.press(chat, users.id, blocked.card, 'Clear filter');
  }, 180_000);

  test('a few names keep the conversation: an unknown one is answered on its own', async () => {
    const card = (await teams.say(chat, 'select nobody.here@bigcorp.onmicrosoft.com')).card;
    expect(textOf(card)).toContain('No user of this customer matches "nobody.here@bigcorp.onmicrosoft.com".');
  }, 180_000);
});
