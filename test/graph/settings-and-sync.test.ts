// Graph mode's switch and settings at start-up (one line per problem, the demo untouched without
// GRAPH_CLIENT_ID), and `npm run sync -- CUSTOMER` filling the mirror from the fake over HTTPS.
import { loadSettings, SettingsError } from '../../bot/config';
import { runSync } from '../../domain/graph/sync-cli';
import { DirectoryRepository } from '../../domain/store/directory';
import { fakeSettings } from '../support/graph-fake/client-setup';
import { IDS } from '../support/graph-fake/server';
import { graphFakeSuite } from '../support/graph-mode';
import { demoService, emulatorEndpoint } from '../support/store';

const problems = (env: Record<string, string>) => {
  try {
    loadSettings(env);
    return [];
  } catch (e) {
    return (e as SettingsError).problems;
  }
};

test('without GRAPH_CLIENT_ID the bot runs on its own directory, as the demo always did', () => {
  expect(loadSettings({}).graph).toBeUndefined();
});

test('GRAPH_CLIENT_ID turns Graph mode on; its settings are checked with the others, one line each', () => {
  expect(problems({ GRAPH_CLIENT_ID: 'not-a-guid', PORT: 'x' })).toEqual(
    expect.arrayContaining([expect.stringMatching(/^PORT:/), expect.stringMatching(/^GRAPH_CLIENT_ID: must be the app registration's client id/), expect.stringMatching(/set exactly one of GRAPH_CLIENT_SECRET/)]),
  );
  expect(problems({ GRAPH_CLIENT_SECRET: 's' })).toEqual([expect.stringMatching(/^GRAPH_CLIENT_ID: is required when GRAPH_CLIENT_SECRET is set/)]);
  const s = loadSettings({ GRAPH_CLIENT_ID: IDS.clientId, GRAPH_CLIENT_SECRET: 'x', GRAPH_CUSTOMERS: 'gdap', GRAPH_WRITES_PER_APP_TENANT: '300', GRAPH_WRITES_PER_APP_TENANT_WINDOW_S: '15' });
  expect(s.graph).toMatchObject({ clientId: IDS.clientId, customers: 'gdap', graphEndpoint: 'https://graph.microsoft.com', budget: { perAppAndTenant: { limit: 300, windowMs: 15_000 } } });
  // A national cloud's root is taken; a path would not be followed by every call, so it is refused.
  expect(loadSettings({ GRAPH_CLIENT_ID: IDS.clientId, GRAPH_CLIENT_SECRET: 'x', GRAPH_ENDPOINT: 'https://graph.microsoft.us/' }).graph).toMatchObject({ graphEndpoint: 'https://graph.microsoft.us' });
  expect(problems({ GRAPH_CLIENT_ID: IDS.clientId, GRAPH_CLIENT_SECRET: 'x', GRAPH_ENDPOINT: 'https://proxy.example/graph' })).toEqual([expect.stringMatching(/^GRAPH_ENDPOINT: must be the Graph root alone/)]);
  // The secret is a setting, never part of a problem line.
  expect(problems({ GRAPH_CLIENT_ID: IDS.clientId, GRAPH_CLIENT_SECRET: 'top-secret', GRAPH_CLIENT_CERTIFICATE_PATH: '/nope' }).join('\n')).not.toContain('top-secret');
});

describe('npm run sync', () => {
  const graph = graphFakeSuite();

  test('fills the mirror of a customer from Graph and says how many users and products it read', async () => {
    const { store } = await demoService();
    const settings = fakeSettings(graph.fake);
    const env = {
      GRAPH_CLIENT_ID: settings.clientId, GRAPH_CLIENT_SECRET: IDS.secret, GRAPH_ENDPOINT: graph.fake.origin, AZURE_AUTHORITY_HOST: graph.fake.origin,
      COSMOS_ENDPOINT: await emulatorEndpoint(), COSMOS_KEY: 'test', COSMOS_DATABASE: store.database.id,
    };
    const out: string[] = [];
    const err: string[] = [];
    expect(await runSync(['Contoso Ltd.'], env, { out: (l) => out.push(l), err: (l) => err.push(l), client: { agent: graph.agent } })).toBe(0);
    expect(out.join('\n')).toMatch(/^Contoso Ltd\.: 40 users and \d+ products read from Microsoft Graph/);
    expect(await new DirectoryRepository(store.containers.directory).doc('contoso', 'graph-sync')).toMatchObject({ tenantId: IDS.contoso });
    expect(await runSync(['nobody'], env, { out: (l) => out.push(l), err: (l) => err.push(l), client: { agent: graph.agent } })).toBe(1);
    expect(err.pop()).toContain('No customer "nobody"');
    expect(await runSync([], env, { err: (l) => err.push(l) })).toBe(2);
  });
});
