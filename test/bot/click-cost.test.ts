// What one click costs the store, pinned: the Cosmos requests the bot makes for a Next on the users
// list, counted by a request meter on the bot's own client. Deterministic (counts, not times), so the
// cost of a click cannot creep back unnoticed: it was 47 requests, then 13 with 4 session reads and
// three queries (each a scan of the whole container on the emulator), then 41 with the page index's
// freshness told from the summary's and every product's ETag.
import { importDataset } from '../../domain/dataset';
import { openCosmos, RequestMeter, type CosmosStore } from '../../domain/store/cosmos';
import { DirectoryRepository } from '../../domain/store/directory';
import { closeStores, demoDataset, emulatorEndpoint } from '../support/store';
import { button, FakeConnector, PEOPLE, personalChat, TeamsHarness, textOf } from '../support/teams';

let connector: FakeConnector;
let teams: TeamsHarness;
let store: CosmosStore;
const meter = new RequestMeter();
const alex = personalChat(PEOPLE.alex);

beforeAll(async () => {
  connector = await new FakeConnector().start();
  store = await openCosmos({ endpoint: await emulatorEndpoint(), key: 'test', database: `click-cost-${process.pid}`, meter });
  await importDataset(store, await demoDataset());
  teams = await new TeamsHarness(store, connector).start();
});
afterAll(async () => {
  await teams.stop();
  await connector.stop();
  await store.database.delete();
  await store.close();
  await closeStores();
});

/** Requests by kind ("read sessions", "query directory"…) made while `work` ran. */
async function requestsOf(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = new Map(meter.byKind);
  await work();
  const out: Record<string, number> = {};
  for (const [kind, n] of meter.byKind) if (n - (before.get(kind) ?? 0)) out[kind] = n - (before.get(kind) ?? 0);
  return out;
}

/** The partner's admins, rules and customers are cached for 5 s: a click may or may not reread them (3 requests). */
function withoutPartner(kinds: Record<string, number>) {
  const partner = Object.entries(kinds).filter(([k]) => k.endsWith(' partner')).reduce((n, [, v]) => n + v, 0);
  expect([0, 3]).toContain(partner);
  return Object.fromEntries(Object.entries(kinds).filter(([k]) => !k.endsWith(' partner')));
}

test('a Next on the users list reads the session once, writes it once, and reads only documents by id (no query), the page\'s users in one batch', async () => {
  // The page index (its manifest and current journal page: it is held in memory after the first
  // card), the products, the summary for the filters: point reads, because the emulator runs every
  // query over every document (a 10,000-user scan per query, per click) while a point read is a
  // lookup; the page's 20 users: one batch of 20 reads. It was 2 × (1 + products) + 21 reads while the
  // index's freshness was told from the summary's and every product's ETag, and 20 of them the users.
  const products = (await new DirectoryRepository(store.containers.directory).summary('contoso')).skuIds.length;
  const READS = 2 + (1 + products) + 1;
  const customers = await teams.say(alex, 'customers');
  const open = button(customers.card, 'Open');
  let card = (await teams.click(alex, customers.id, open.verb, open.data)).card;
  expect(textOf(card)).toContain('Page 1 of 2');
  const kinds = withoutPartner(await requestsOf(async () => {
    card = (await teams.press(alex, customers.id, card, 'Next')).card;
  }));
  expect(textOf(card)).toContain('Page 2 of 2');
  expect(kinds).toEqual({ 'read sessions': 1, 'replace sessions': 1, 'read directory': READS, 'batch directory': 1 });
});
