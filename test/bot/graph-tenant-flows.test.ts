// Graph mode over HTTP, what happens when a customer's tenant changes under License Desk: consent
// removed while a preview is shown or in the middle of a Save (the connection card, the change waiting,
// Try again, other customers unaffected, nothing secret in the log), and seats bought in the admin
// center shown on the next Manage licenses. The customers' tenants live in the Graph fake (HTTPS,
// through @azure/identity and the real client), mirrored in Cosmos.
import { createLogger } from '../../bot/log';
import { GRAPH_RUNNER_OPTIONS } from '../../domain/store/backends';
import { SKU } from '../support/demo';
import { GraphFake, IDS } from '../support/graph-fake/server';
import { graphBackendsOn, graphSuite, graphTeams } from '../support/graph-mode';
import { demoService } from '../support/store';
import { FakeConnector, PEOPLE, TeamsHarness, button, buttons, inputs, personalChat, textOf } from '../support/teams';

let connector: FakeConnector;
const suite = graphSuite();
const alex = personalChat(PEOPLE.alex);

beforeAll(async () => {
  connector = await new FakeConnector().start();
});
afterAll(() => connector.stop());

async function start() {
  const { store } = await demoService();
  return graphTeams(store, connector, suite);
}

describe('Graph mode: the tenant changes under License Desk', () => {
  test('consent removed while the preview is shown: Save anyway names the customer and the fix, and says nothing was changed', async () => {
    const { teams, fake } = await start();
    try {
      await teams.say(alex, 'use contoso');
      const opened = await teams.say(alex, 'assign Office 365 E3 to Rachel Kim, Tyler Anderson');
      const e3 = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
      const preview = await teams.press(alex, opened.id, opened.card, 'Save', { [e3.id]: 'true' });
      fake.revokeConsent(IDS.contoso);
      const anyway = button(preview.card, 'Save anyway');
      await teams.click(alex, opened.id, anyway.verb, anyway.data);
      await teams.waitForBackground();
      const text = textOf(connector.last().card);
      expect(text).toContain('Cannot reach Contoso Ltd. in Microsoft 365');
      expect(text).toContain('Nothing was changed by this Save.');
      expect(fake.tenant(IDS.contoso).applied.size).toBe(0);
    } finally {
      await teams.stop();
    }
  });

  test('Manage licenses and every Save read the products from Microsoft 365: seats bought in the admin center show at once', async () => {
    const { teams, fake } = await start();
    try {
      const t = fake.tenant(IDS.contoso);
      const reads = () => fake.graphRequests(IDS.contoso).filter((r) => r.path === '/v1.0/subscribedSkus').length;
      await teams.say(alex, 'use contoso');
      const first = await teams.say(alex, 'assign Power BI Pro to Isla Robinson');
      // The card's lines: the product, its mark, "Available licenses", the number.
      const available = (card: unknown) => {
        const lines = textOf(card).split('\n');
        return Number(lines[lines.indexOf('Power BI Pro') + 3]);
      };
      const pbi = t.skus.find((s) => s.skuId === SKU.POWER_BI_PRO)!;
      const free = available(first.card);
      expect(free).toBeGreaterThan(0);
      // Seven seats bought in the admin center: the next Manage licenses shows them, read from Graph.
      pbi.prepaidUnits.enabled += 7;
      const before = reads();
      const opened = await teams.say(alex, 'assign Power BI Pro to Isla Robinson');
      expect(reads()).toBeGreaterThan(before);
      expect(available(opened.card)).toBe(free + 7);
      // The Save reads them again before it applies (and after its chunk).
      const input = inputs(opened.card).find((i) => i.title === 'Power BI Pro');
      const beforeSave = reads();
      await teams.press(alex, opened.id, opened.card, 'Save', { [input.id]: 'true' });
      await teams.waitForBackground();
      expect(textOf(connector.last().card)).toContain('1 updated');
      expect(reads()).toBeGreaterThanOrEqual(beforeSave + 2);
    } finally {
      await teams.stop();
    }
  });

  test('consent removed in the middle of a Save: the card names the customer and the fix, the change waits; Fabrikam still works; Try again finishes it', async () => {
    const { store } = await demoService();
    const fake = await new GraphFake({ extraUsers: { contoso: 30 } }).start();
    suite.fakes.push(fake);
    // Every log line at debug, unscrubbed: no secret or token may be in any of them.
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', scrub: false, destination: { write: (l) => void lines.push(l) } });
    // 20 users a chunk: the first chunk is written before the consent goes, the second after.
    const teams = await new TeamsHarness(store, connector, logger, {}, { backends: (s) => graphBackendsOn(s, fake, suite.agent), options: { ...GRAPH_RUNNER_OPTIONS, chunkSize: 20 } }).start();
    try {
      const t = fake.tenant(IDS.contoso);
      t.skus.find((s) => s.skuId === SKU.POWER_BI_PRO)!.prepaidUnits.enabled = 500;
      const loadUsers = [...t.users.values()].filter((u) => String(u.displayName).startsWith('Load User')).map((u) => u.id);
      await teams.say(alex, 'use contoso');
      const list = await teams.say(alex, 'users load user');
      await teams.press(alex, list.id, list.card, 'Select all 30 matching');
      const manage = await teams.say(alex, 'licenses');
      const pbi = inputs(manage.card).find((i) => i.title === 'Power BI Pro');
      fake.revokeConsentAfterWrites(IDS.contoso, 20);
      await teams.press(alex, manage.id, manage.card, 'Save', { [pbi.id]: 'true' });
      await teams.waitForBackground();

      const stopped = connector.last();
      const text = textOf(stopped.card);
      expect(text).toContain('Cannot reach Contoso Ltd. in Microsoft 365');
      expect(text).toContain('admin consent');
      expect(text).toContain('The change stopped after 20 of 30 users (20 changed, 0 failed). The other 10 are waiting and are not counted as failed.');
      expect(text).not.toContain(IDS.secret);
      expect(buttons(stopped.card).map((b) => b.title)).toContain('Try again');
      const holding = () => loadUsers.filter((id) => t.users.get(id)!.licenseAssignmentStates.some((s) => s.skuId === SKU.POWER_BI_PRO));
      expect(holding()).toHaveLength(20);
      // Not a result: no user of the change is reported as failed by a rule.
      expect(text).not.toContain('Licenses updated');

      // Another customer keeps working meanwhile: a change for Fabrikam goes through.
      await teams.say(alex, 'use fabrikam');
      const fab = await teams.say(alex, 'revoke Exchange Online Plan 1 from Claudia Zimmermann');
      const fabValues = Object.fromEntries(inputs(fab.card).filter((i) => i.id.startsWith('product_')).map((i) => [i.id, i.value]));
      const fabSave = button(fab.card, 'Save');
      await teams.click(alex, fab.id, fabSave.verb, { ...fabSave.data, ...fabValues });
      await teams.waitForBackground();
      expect(textOf(connector.last().card)).toContain('1 updated · 0 failed');
      const claudia = [...fake.tenant(IDS.fabrikam).users.values()].find((u) => u.displayName === 'Claudia Zimmermann')!;
      expect(claudia.licenseAssignmentStates.map((l) => l.skuId)).not.toContain(SKU.EXCHANGE_P1);

      // Consent granted again: Try again continues the same change with the 10 waiting users.
      fake.grantConsent(IDS.contoso);
      const again = button(stopped.card, 'Try again');
      const resumed = await teams.click(alex, stopped.id, again.verb, again.data);
      expect(textOf(resumed.card)).toContain('Continuing the change for 30 users');
      // A second click while it runs starts nothing more.
      const twice = await teams.click(alex, stopped.id, again.verb, again.data);
      expect(textOf(twice.card)).toMatch(/still being saved|Licenses updated/);
      await teams.waitForBackground();
      expect(textOf(connector.last().card)).toContain('30 updated · 0 failed · 0 unchanged');
      expect(holding()).toHaveLength(30);
      // Never written twice.
      expect(loadUsers.map((id) => t.applied.get(id))).toEqual(loadUsers.map(() => 1));
      const log = lines.join('\n');
      expect(log).toContain('operation blocked');
      expect(log).toContain('consentMissing');
      expect(log).not.toContain(IDS.secret);
      expect(log).not.toMatch(/eyJ[\w-]{10,}/);
    } finally {
      await teams.stop();
    }
  }, 120_000);
});
