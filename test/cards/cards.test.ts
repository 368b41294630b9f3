// Every card, rendered from real data, checked with the official Adaptive Cards renderer (schema 1.5:
// no parse or validation events) and against the Teams size budget — also for a 10,000-user customer.
import { customersCard } from '../../cards/customers-card';
import { labels, type Lang } from '../../cards/i18n';
import { manageLicensesCard } from '../../cards/manage-licenses-card';
import { actionsOf, CARD_BUDGET_BYTES, cardBytes, type AdaptiveCard } from '../../cards/render';
import { VERBS } from '../../cards/verbs';
import { cardActions } from '../../bot/actions';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyCard, previewCard, resultCard } from '../../cards/results-cards';
import { selectedCard } from '../../cards/selected-card';
import { servicePlansCard } from '../../cards/service-plans-card';
import { choicesCard, helpCard, messageCard, progressCard } from '../../cards/simple-cards';
import { usersCard } from '../../cards/users-card';
import { bigTenant } from '../../bench/big-tenant';
import { Catalog } from '../../domain/catalog';
import type { Dataset } from '../../domain/dataset';
import { licenseChangeRequestSchema } from '../../domain/model';
import { predict } from '../../domain/preview';
import { countOutcomes, type LicenseService, type OperationResult } from '../../domain/service';
import { toUserDoc } from '../../domain/store/directory';
import { ALEX, SKU, request } from '../support/demo';
import { closeStores, demoDataset, demoService } from '../support/store';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

/** What the official renderer has to say about a card: nothing, for a good one. */
function rendererComplaints(card: AdaptiveCard): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const complaints: string[] = [];
  for (let i = 0; i < context.eventCount; i++) complaints.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) complaints.push(`validate: ${e.message}`);
  return complaints;
}

/** Every card this file renders, both languages: the verb check at the end walks them all. */
const rendered: AdaptiveCard[] = [];

function expectValid(card: AdaptiveCard) {
  rendered.push(card);
  expect(rendererComplaints(card)).toEqual([]);
  expect(card.version).toBe('1.5');
  expect(cardBytes(card)).toBeLessThan(CARD_BUDGET_BYTES);
  // Action.Execute needs a verb or Teams sends nothing.
  JSON.stringify(card, (k, v) => {
    if (v && typeof v === 'object' && v.type === 'Action.Execute') expect(typeof v.verb === 'string' && v.verb.length > 0).toBe(true);
    return v;
  });
  // No template expression may survive expansion.
  expect(JSON.stringify(card)).not.toMatch(/\$\{/);
}

let data: Dataset;
let service: LicenseService;
beforeAll(async () => {
  data = await demoDataset();
  ({ service } = await demoService());
});
afterAll(closeStores);

const langs: Lang[] = ['en', 'de'];

describe.each(langs)('cards in %s, from the demo tenants', (lang) => {
  test('the renderer itself complains about a broken card (so this check can fail)', () => {
    expect(rendererComplaints({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Bogus' }] })).not.toEqual([]);
  });

  test('customers, help, message, choices, progress', async () => {
    expectValid(customersCard(lang, await service.customersFor(ALEX)));
    expectValid(helpCard(lang, 'lead'));
    expectValid(messageCard({ title: 'x', lines: ['a', 'b'], tone: 'error', actions: [{ title: 'Back', verb: 'manageLicenses', data: { keepDraft: true } }] }));
    expectValid(choicesCard('Which?', [{ title: 'Office 365 E3', verb: 'chooseChange', data: { change: 'assign', products: [{ skuId: SKU.E3 }], users: [{ name: 'Rachel Kim' }] } }]));
    expectValid(progressCard(lang, 'Contoso Ltd.', 300, 10_000, { succeeded: 290, failed: 10, noChange: 0 }));
  });

  test('users list, selected users, manage licenses, service plans', async () => {
    const customer = await service.customer(ALEX, 'contoso');
    const page = await service.listUsers(ALEX, 'contoso', {}, 'first');
    const products = await service.products(ALEX, 'contoso');
    const departments = await service.departments(ALEX, 'contoso');
    const selected = new Set(page.users.slice(0, 3).map((u) => u.id));
    const users = usersCard(lang, { customer, page, selectedIds: selected, filter: { text: 'a' }, departments, products });
    expectValid(users);
    expect(JSON.stringify(users)).toContain(labels[lang].selectedCount(3));
    expectValid(selectedCard(lang, { customer, users: page.users.slice(0, 3), total: 3, page: 1, products }));
    const manage = manageLicensesCard(lang, { customer, users: page.users.slice(0, 5), products, draft: { choices: { [SKU.E3]: 'assign' }, disabledPlans: { [SKU.E3]: [products[0].servicePlans[0].servicePlanId] } }, buyMoreUrl: 'https://example.com/buy', cardId: 'card-1234' });
    expectValid(manage);
    expect(JSON.stringify(manage)).toContain(labels[lang].buyMore); // E5 and Visio have none left
    const e5 = products.find((p) => p.skuId === SKU.E5)!;
    expectValid(servicePlansCard(lang, e5, [e5.servicePlans[3].servicePlanId]));
  });

  test('preview, Licenses updated, history — from a real apply', async () => {
    const customer = await service.customer(ALEX, 'contoso');
    const everyone = data.customers[0].users.map((u) => u.id);
    const req = request({ userIds: everyone, licensesToAssign: [{ skuId: SKU.COPILOT, disabledPlans: [] }], licensesToRemove: [SKU.POWER_BI_PRO] });
    const preview = await service.preview(req);
    expectValid(previewCard(lang, { customer, preview, change: { assign: ['Copilot for Microsoft 365'], remove: ['Power BI Pro'] }, cardId: 'c-1', canSave: true }));
    const result = await service.apply({ ...req, idempotencyKey: `${req.idempotencyKey}-${lang}` });
    const catalog = await service.catalog(ALEX, 'contoso');
    const card = resultCard(lang, { customer, result, page: 1, productName: (id) => catalog.displayName(id) });
    expectValid(card);
    expectValid(resultCard(lang, { customer, result, page: 2, productName: (id) => catalog.displayName(id) }));
    expectValid(historyCard(lang, { customer, operations: await service.history(ALEX, 'contoso'), productName: (id) => catalog.displayName(id) }));
  });
});

describe('a 10,000-user customer: every card stays under the budget', () => {
  let big: Dataset;
  let catalog: Catalog;
  beforeAll(() => {
    big = bigTenant(data, 10_000);
    catalog = new Catalog(big.customers[0].skus, big.rules);
  });
  const customer = () => big.customers[0].customer;
  const docs = () => big.customers[0].users.map((u) => toUserDoc('bigcorp', u));

  test('users page, selected users, manage licenses with all 10,000 selected', () => {
    const all = docs();
    const products = catalog.userProducts();
    const page = { users: all.slice(0, 20), pageNumber: 1, pageCount: 500, total: 10_000 };
    const selected = new Set(all.map((u) => u.id));
    for (const lang of langs) {
      expectValid(usersCard(lang, { customer: customer(), page, selectedIds: selected, filter: {}, departments: [...new Set(all.map((u) => u.department!))], products }));
      expectValid(selectedCard(lang, { customer: customer(), users: all.slice(0, 20), total: 10_000, page: 3, products }));
      expectValid(manageLicensesCard(lang, { customer: customer(), users: all, products, draft: { choices: {}, disabledPlans: {} }, buyMoreUrl: 'https://example.com', cardId: 'c' }));
    }
  });

  test('preview and Licenses updated for a change to all 10,000 users', () => {
    const all = big.customers[0].users;
    const req = licenseChangeRequestSchema.parse({ ...request({ userIds: all.map((u) => u.id), customerKey: 'bigcorp', licensesToAssign: [{ skuId: SKU.COPILOT, disabledPlans: [] }] }) });
    // The domain's own prediction (what service.preview runs), on the generated users.
    const preview = predict(req, catalog, new Map(all.map((u) => [u.id, u])));
    expect(preview.counts.failed).toBeGreaterThan(1000); // plenty of failures to list
    const result: OperationResult = { ...preview, operationId: 'op-x', status: 'completed', requestedBy: { aadObjectId: ALEX.aadObjectId, displayName: 'Alex Wilber' }, createdAt: new Date().toISOString(), replayed: false, stale: false };
    for (const lang of langs) {
      expectValid(previewCard(lang, { customer: customer(), preview, change: { assign: ['Copilot for Microsoft 365'], remove: [] }, cardId: 'c', canSave: true }));
      for (const page of [1, 2, 200, 400]) expectValid(resultCard(lang, { customer: customer(), result, page, productName: (id) => catalog.displayName(id) }));
    }
  });

  test('a tenant with 45 products: Manage licenses is paged, every page within budget', () => {
    const base = catalog.userProducts()[0];
    const many = Array.from({ length: 45 }, (_, i) => ({ ...base, skuId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, displayName: `Microsoft 365 Product With A Long Marketing Name ${i}`, available: i % 3 }));
    const users = docs().slice(0, 500).map((u, i) => ({ ...u, assignedLicenses: many.filter((_, j) => (i + j) % 2).map((p) => ({ skuId: p.skuId, disabledPlans: [] })) }));
    for (const lang of langs) {
      for (const page of [1, 2, 3, 4]) {
        const card = manageLicensesCard(lang, { customer: customer(), users, products: many, draft: { choices: {}, disabledPlans: {} }, buyMoreUrl: 'https://example.com', cardId: 'c', page });
        expectValid(card);
        expect(JSON.stringify(card)).toContain(labels[lang].productsPage((page - 1) * 12 + 1, Math.min(45, page * 12), 45));
      }
    }
  });

  test('users with many problems each: results and preview pages stay within budget', () => {
    const all = big.customers[0].users.slice(0, 40);
    const longError = (i: number) => ({ code: 'countViolation' as const, params: { product: `Microsoft 365 E5 (no Teams) with Audio Conferencing Select Dial-Out ${i}`, available: 0, needed: 9999 }, reason: '', fix: '' });
    const results = all.map((u) => ({ userId: u.id, displayName: `${u.displayName} ${'x'.repeat(60)}`, userPrincipalName: `${'y'.repeat(60)}@${'z'.repeat(40)}.onmicrosoft.com`, status: 'failed' as const, before: [], after: [], added: [], removed: [], updated: [], errors: [1, 2, 3, 4, 5, 6].map(longError) }));
    const counts = countOutcomes(results);
    const result: OperationResult = { customerKey: 'bigcorp', results, counts, seatDemand: [], operationId: 'op', status: 'completed', requestedBy: { aadObjectId: 'a', displayName: 'Alex' }, createdAt: new Date().toISOString(), replayed: false, stale: false };
    for (const lang of langs) {
      expectValid(resultCard(lang, { customer: customer(), result, page: 1, productName: (id) => id }));
      expectValid(previewCard(lang, { customer: customer(), preview: result, change: { assign: ['x'], remove: [] }, cardId: 'c', canSave: false }));
    }
  });

  test('hundreds of customers are paged', () => {
    const many = Array.from({ length: 350 }, (_, i) => ({ ...customer(), key: `c${i}`, displayName: `Customer number ${i} with a rather long legal name GmbH & Co. KG` }));
    expectValid(customersCard('en', many, 1));
    expectValid(customersCard('de', many, 18));
  });
});

describe('every verb a card can send has a handler', () => {
  const handled = new Set(Object.values(cardActions).map((a) => a.verb));

  test('each listed verb is registered under its own name', () => {
    for (const verb of VERBS) expect(cardActions[verb]?.verb).toBe(verb);
  });

  test('every action of every card rendered above (all cards, English and German)', () => {
    const langsSeen = new Set(rendered.map((c) => JSON.stringify(c).includes('Lizenzen') || JSON.stringify(c).includes('Kunden')));
    expect(langsSeen.size).toBe(2); // both languages were rendered
    const actions = rendered.flatMap((c) => actionsOf(c)).filter((a) => a.type === 'Action.Execute' || a.type === 'Action.Submit');
    expect(actions.length).toBeGreaterThan(100);
    const unhandled = actions.filter((a) => !handled.has((a.verb ?? a.data?.verb) as never)).map((a) => `${a.title}: ${a.verb}`);
    expect(unhandled).toEqual([]);
    // The Action.Submit fallback reads the verb from data: it must be the same one.
    expect(actions.filter((a) => a.data?.verb !== a.verb).map((a) => a.title)).toEqual([]);
  });

  test('every verb named in a template, also behind a $when that no render above met', () => {
    const dir = join(__dirname, '../../cards/templates');
    const named = readdirSync(dir).flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/"verb":\s*"([^"$]+)"/g)].map((m) => `${f}: ${m[1]}`));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((n) => !handled.has(n.split(': ')[1] as never))).toEqual([]);
  });

  test('a typo in a verb is caught (so this check can fail)', () => {
    const card = messageCard({ title: 't', lines: [], actions: [{ title: 'x', verb: 'usersPag' as never }] });
    expect(actionsOf(card).filter((a) => !handled.has(a.verb as never))).toHaveLength(1);
  });
});
