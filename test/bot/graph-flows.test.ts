// The main Partner Center flows over HTTP as Teams sends them, in both modes: the Cosmos directory (the
// demo) and Graph (the customers' tenants in the Graph fake, through @azure/identity and the real
// client over HTTPS, mirrored in Cosmos). Then what only Graph mode has: data changed behind the bot's
// back, licenses via group, Graph's own refusals, a tenant without consent, freshness and Refresh.
import type { Dataset } from '../../domain/dataset';
import { SKU, userId } from '../support/demo';
import { UNCATALOGUED_MESSAGE } from '../support/graph-fake/directory';
import { GraphFake, IDS } from '../support/graph-fake/server';
import { graphSuite, graphTeams, NORTHWIND } from '../support/graph-mode';
import { demoDataset, demoService } from '../support/store';
import { FakeConnector, PEOPLE, TeamsHarness, button, inputs, personalChat, textOf, userChoices, type Chat } from '../support/teams';

let connector: FakeConnector;
let demo: Dataset;
const suite = graphSuite();
const alex = personalChat(PEOPLE.alex);

beforeAll(async () => {
  connector = await new FakeConnector().start();
  demo = await demoDataset();
});
afterAll(() => connector.stop());

type Mode = 'Cosmos' | 'Graph';
async function start(mode: Mode, options: { withNorthwind?: boolean } = {}) {
  const { store } = await demoService();
  if (options.withNorthwind) await store.containers.partner.items.upsert({ ...NORTHWIND, id: NORTHWIND.key, pk: 'customer' });
  if (mode === 'Cosmos') return { teams: await new TeamsHarness(store, connector).start(), fake: undefined };
  return graphTeams(store, connector, suite);
}

/** What the tenant holds: in Graph mode the fake's own state, in Cosmos mode the store. */
async function holds(teams: TeamsHarness, fake: GraphFake | undefined, upn: string): Promise<string[]> {
  if (fake) return fake.tenant(IDS.contoso).users.get(userId(demo, upn))!.licenseAssignmentStates.map((s) => s.skuId).sort();
  const [u] = await teams.service.usersById({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso', [userId(demo, upn)]);
  return u.assignedLicenses.map((l) => l.skuId).sort();
}

async function openContoso(teams: TeamsHarness, chat: Chat) {
  const customers = await teams.say(chat, 'customers');
  const pick = button(customers.card, 'Open');
  const users = await teams.click(chat, customers.id, pick.verb, pick.data);
  return { id: customers.id, card: users.card };
}

describe.each<Mode>(['Cosmos', 'Graph'])('%s mode', (mode) => {
  test('assign: tick users, Manage licenses, Save, "Licenses updated", and the tenant holds it', async () => {
    const { teams, fake } = await start(mode);
    try {
      const { id, card } = await openContoso(teams, alex);
      expect(textOf(card)).toContain('Page 1 of 2 · 40 users');
      expect(textOf(card).includes('Read from Microsoft 365')).toBe(mode === 'Graph');
      const users = userChoices(card);
      const ticks = [users.get('Isla Robinson')!, users.get('Ananya Iyer')!];
      const manage = button(card, 'Manage licenses');
      const opened = await teams.click(alex, id, manage.verb, { ...manage.data, selection: ticks.join(',') });
      const e3 = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
      await teams.press(alex, id, opened.card, 'Save', { [e3.id]: 'true' });
      await teams.waitForBackground();
      const result = textOf(connector.last().card);
      expect(result).toContain('Licenses updated');
      expect(result).toContain('2 updated · 0 failed · 0 unchanged');
      expect(await holds(teams, fake, 'isla.robinson')).toContain(SKU.E3);
      if (fake) expect(fake.tenant(IDS.contoso).applied.get(userId(demo, 'isla.robinson'))).toBe(1);
    } finally {
      await teams.stop();
    }
  });

  test('revoke: the preview explains the dependency; revoking both works', async () => {
    const { teams, fake } = await start(mode);
    try {
      await teams.say(alex, 'use contoso');
      const opened = await teams.say(alex, 'revoke Teams Phone from Jordan Miller');
      const phone = inputs(opened.card).find((i) => i.title === 'Microsoft Teams Phone Standard');
      const preview = await teams.press(alex, opened.id, opened.card, 'Save', { [phone.id]: 'false' });
      expect(textOf(preview.card)).toMatch(/still depends on MCOEV/);
      const both = await teams.say(alex, 'revoke Teams Phone, domestic calling plan from jordan.miller@contoso.onmicrosoft.com');
      // Saved as shown: both already set to remove.
      await teams.press(alex, both.id, both.card, 'Save');
      await teams.waitForBackground();
      expect(textOf(connector.last().card)).toContain('1 updated · 0 failed');
      const held = await holds(teams, fake, 'jordan.miller');
      expect(held).not.toContain(SKU.TEAMS_PHONE);
      expect(held).not.toContain(SKU.CALLING_PLAN);
    } finally {
      await teams.stop();
    }
  });

  test('a change that partly fails shows the preview; Save anyway applies it; the result lists failures first, with fixes', async () => {
    const { teams, fake } = await start(mode);
    try {
      await teams.say(alex, 'use contoso');
      const opened = await teams.say(alex, 'assign Office 365 E3 to Rachel Kim, Tyler Anderson');
      const e3 = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
      const preview = await teams.press(alex, opened.id, opened.card, 'Save', { [e3.id]: 'true' });
      expect(textOf(preview.card)).toContain('no usage location');
      const anyway = button(preview.card, 'Save anyway');
      await teams.click(alex, opened.id, anyway.verb, anyway.data);
      await teams.waitForBackground();
      const result = connector.last().card;
      const lines = textOf(result).split('\n');
      expect(lines).toContain('1 updated · 1 failed · 0 unchanged');
      expect(lines.findIndex((l) => l.startsWith('Failed'))).toBeLessThan(lines.findIndex((l) => l.startsWith('Updated')));
      expect(textOf(result)).toMatch(/Fix: Set the user's usage location/);
      expect(await holds(teams, fake, 'rachel.kim')).toContain(SKU.E3);
      expect(await holds(teams, fake, 'tyler.anderson')).not.toContain(SKU.E3);
    } finally {
      await teams.stop();
    }
  });
});

describe('Graph mode only', () => {
  test('a license assigned in the admin center between the card and Save: the preview says so, Save anyway keeps it', async () => {
    const { teams, fake } = await start('Graph');
    try {
      await teams.say(alex, 'use contoso');
      const opened = await teams.say(alex, 'assign Office 365 E3 to Rachel Kim, Isla Robinson');
      const rachel = userId(demo, 'rachel.kim');
      const t = fake!.tenant(IDS.contoso);
      t.users.get(rachel)!.licenseAssignmentStates.push({ skuId: SKU.VISIO, disabledPlans: [], assignedByGroup: null, state: 'Active', error: 'None', lastUpdatedDateTime: new Date().toISOString() });
      t.changeLog.push({ userId: rachel });
      const e3 = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
      const preview = await teams.press(alex, opened.id, opened.card, 'Save', { [e3.id]: 'true' });
      expect(textOf(preview.card)).toContain('1 of 2 users had their licenses changed in Microsoft 365 since this card was shown');
      const anyway = button(preview.card, 'Save anyway');
      await teams.click(alex, opened.id, anyway.verb, anyway.data);
      await teams.waitForBackground();
      expect(textOf(connector.last().card)).toContain('2 updated · 0 failed');
      expect(await holds(teams, fake, 'rachel.kim')).toEqual([SKU.E3, SKU.VISIO].sort());
    } finally {
      await teams.stop();
    }
  });

  test('a license via group is shown as such and cannot be revoked from the user; Graph\'s unknown rule is shown in its words', async () => {
    const { teams, fake } = await start('Graph');
    try {
      const t = fake!.tenant(IDS.contoso);
      const rachel = userId(demo, 'rachel.kim');
      t.users.get(rachel)!.licenseAssignmentStates.push({ skuId: SKU.POWER_BI_PRO, disabledPlans: [], assignedByGroup: '0a1b2c3d-0000-4000-8000-00000000abcd', state: 'Active', error: 'None', lastUpdatedDateTime: new Date().toISOString() });
      await teams.say(alex, 'use contoso');
      const list = await teams.say(alex, 'users rachel');
      const line = inputs(list.card).find((i) => i.id === 'selection').choices.find((c: { title: string }) => c.title.startsWith('Rachel Kim')).title;
      expect(line).toContain('Power BI Pro (via group)');
      const revoke = await teams.say(alex, 'revoke Power BI Pro from Rachel Kim');
      const pbi = inputs(revoke.card).find((i) => i.title === 'Power BI Pro');
      const preview = await teams.press(alex, revoke.id, revoke.card, 'Save', { [pbi.id]: 'false' });
      expect(textOf(preview.card)).toContain('comes to this user through a group (0a1b2c3d-0000-4000-8000-00000000abcd)');
      expect(textOf(preview.card)).toContain('Fix: Remove the user from that group');

      fake!.world.uncataloguedSkus.add(SKU.VISIO);
      t.skus.find((s) => s.skuId === SKU.VISIO)!.prepaidUnits.enabled = 10;
      const visio = await teams.say(alex, 'assign Visio Plan 2 to Isla Robinson');
      const v = inputs(visio.card).find((i) => i.title?.startsWith('Visio'));
      const saveV = button(visio.card, 'Save');
      await teams.click(alex, visio.id, saveV.verb, { ...saveV.data, [v.id]: 'true' });
      await teams.waitForBackground();
      const result = textOf(connector.last().card);
      expect(result).toContain('0 updated · 1 failed');
      expect(result).toContain(UNCATALOGUED_MESSAGE);
    } finally {
      await teams.stop();
    }
  });

  test('a customer without consent: the card names it, says what is missing and how to fix it; Contoso still works', async () => {
    const { teams } = await start('Graph', { withNorthwind: true });
    try {
      const northwind = await teams.say(alex, 'use northwind');
      const text = textOf(northwind.card);
      expect(text).toContain('Cannot reach Northwind Traders in Microsoft 365');
      expect(text).toContain('not consented');
      expect(text).toContain('admin consent');
      expect(text).not.toContain('fake-secret');
      const { card } = await openContoso(teams, alex);
      expect(textOf(card)).toContain('40 users');
    } finally {
      await teams.stop();
    }
  });

  test('Refresh reads the users again now: a user added in the admin center appears', async () => {
    const { teams, fake } = await start('Graph');
    try {
      const { id, card } = await openContoso(teams, alex);
      const t = fake!.tenant(IDS.contoso);
      const newId = '11111111-2222-4333-8444-555555555555';
      t.users.set(newId, { id: newId, displayName: 'Aaron Added', userPrincipalName: 'aaron.added@contoso.onmicrosoft.com', usageLocation: 'US', accountEnabled: true, licenseAssignmentStates: [] });
      t.changeLog.push({ userId: newId });
      const refresh = button(card, 'Refresh');
      const after = await teams.click(alex, id, refresh.verb, refresh.data);
      expect(textOf(after.card)).toContain('41 users');
      expect(textOf(after.card)).toContain('Read from Microsoft 365 just now.');
    } finally {
      await teams.stop();
    }
  });
});
