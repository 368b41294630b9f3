// The log of a full run, read the way an operator (or an attacker with log access) would: one JSON
// object per line, each with a correlation id; no app password, Cosmos key, Graph secret or token
// anywhere in it or in a card; no person's name or UPN at info. Local mode does the whole Save; a
// production-mode app gets valid and forged Bot Framework tokens (keys on loopback).
import { createApp, type App } from '../../bot/server';
import { loadSettings, SettingsError } from '../../bot/config';
import { createLogger, routeConsole, secretsIn, type LogLevel } from '../../bot/log';
import { setLogger, type Logger } from '../../domain/logging';
import { importDataset, type Dataset } from '../../domain/dataset';
import { cosmosBackends } from '../../domain/store/backends';
import { openCosmos, type CosmosStore } from '../../domain/store/cosmos';
import { BotFrameworkKeys } from '../support/bot-framework-keys';
import { closeStores, demoDataset, emulatorEndpoint, serviceOn } from '../support/store';
import { FakeConnector, PEOPLE, TeamsHarness, button, inputs, personalChat, textOf, userChoices } from '../support/teams';

const APP_ID = '6f1b4f1e-0000-4000-8000-00000000b07f';
const PARTNER_TENANT = '74d8c4b8-8ad9-5c9d-966b-bc2a1106db91';
// Recognizable fakes, shaped like the real thing (an Entra client secret, a base64 Cosmos account key).
const FAKE_APP_PASSWORD = 'Fk8Q~AppPassword.LicenseDesk-not-real~0001';
const FAKE_COSMOS_KEY = Buffer.from('FAKE-cosmos-account-key-for-the-logs-test-license-desk-000000000').toString('base64');
const FAKE_GRAPH_SECRET = 'Gr8Q~GraphSecret.LicenseDesk-not-real~0003';
const SECRETS = [FAKE_APP_PASSWORD, FAKE_COSMOS_KEY, FAKE_GRAPH_SECRET];

const env = {
  MicrosoftAppType: 'MultiTenant',
  MicrosoftAppId: APP_ID,
  MicrosoftAppPassword: FAKE_APP_PASSWORD,
  COSMOS_KEY: FAKE_COSMOS_KEY,
  GRAPH_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  GRAPH_CLIENT_SECRET: FAKE_GRAPH_SECRET,
};

let connector: FakeConnector;
let keys: BotFrameworkKeys;
let demo: Dataset;
beforeAll(async () => {
  connector = await new FakeConnector().start();
  keys = await new BotFrameworkKeys().start();
  demo = await demoDataset();
});
afterAll(async () => {
  await connector.stop();
  await keys.stop();
  await closeStores();
});

/** A database on the emulator opened with the fake account key, holding the demo. */
async function storeWithFakeKey(): Promise<CosmosStore> {
  const store = await openCosmos({ endpoint: await emulatorEndpoint(), key: FAKE_COSMOS_KEY, database: `logs-${process.pid}-${Date.now()}` });
  await importDataset(store, structuredClone(demo));
  return store;
}

interface Run {
  lines: string[];
  /** Every card the bot sent, updated or answered an invoke with. */
  cards: string;
}

/** The whole run, logged at `level` into a buffer. */
async function fullRun(level: LogLevel, logger: (write: (line: string) => void) => Logger): Promise<Run> {
  const buffer: string[] = [];
  const bufferLogger = logger((line) => buffer.push(line));
  const previous = setLogger(bufferLogger);
  const restoreConsole = routeConsole();
  const answers: unknown[] = [];
  const store = await storeWithFakeKey();
  const sentBefore = connector.messages.length;
  let teams: TeamsHarness | undefined;
  let app: App | undefined;
  try {
    // ---- local mode: help, a customer, users on a page, Manage licenses, Save, the result --------
    teams = await new TeamsHarness(store, connector, bufferLogger).start();
    const alex = personalChat(PEOPLE.alex);
    await teams.say(alex, 'help');
    const customers = await teams.say(alex, 'customers');
    const open = button(customers.card, 'Open');
    const users = await teams.click(alex, customers.id, open.verb, open.data);
    answers.push(users.body);
    const ticks = [userChoices(users.card).get('Isla Robinson')!, userChoices(users.card).get('Ananya Iyer')!];
    const manageButton = button(users.card, 'Manage licenses');
    const manage = await teams.click(alex, customers.id, manageButton.verb, { ...manageButton.data, selection: ticks.join(',') });
    answers.push(manage.body);
    const e3 = inputs(manage.card).find((i) => i.title === 'Office 365 E3');
    const save = button(manage.card, 'Save');
    const saved = await teams.click(alex, customers.id, save.verb, { ...save.data, [e3.id]: 'true' });
    answers.push(saved.body);
    await teams.waitForBackground();
    expect(textOf(connector.last().card)).toContain('2 updated · 0 failed');
    await teams.say(alex, 'history');

    // ---- production mode: a valid token opens the customers; forged ones are refused -------------
    const settings = loadSettings({ ...env, COSMOS_ENDPOINT: store.endpoint, LOG_LEVEL: level });
    app = createApp(settings, cosmosBackends(store).sessions, serviceOn(store), bufferLogger, keys.authSettings());
    const port = await app.listen(0, '127.0.0.1');
    app.setReady(true);
    const invoke = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: 'f:prod-activity-1',
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: PEOPLE.alex,
      recipient: { id: `28:${APP_ID}`, name: 'License Desk' },
      conversation: { id: 'a:personal-conversation-of-alex', conversationType: 'personal', tenantId: PARTNER_TENANT },
      channelData: { tenant: { id: PARTNER_TENANT } },
      value: { action: { type: 'Action.Execute', verb: 'showCustomers', data: { verb: 'showCustomers' } } },
    };
    const post = async (token: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(invoke) });
      const text = await res.text();
      answers.push(text);
      return { status: res.status, text };
    };
    const claims = keys.claims(APP_ID, connector.url);
    const valid = await post(keys.rs256(claims));
    expect(valid.status).toBe(200);
    expect(valid.text).toContain('Contoso Ltd.');
    const now = Math.floor(Date.now() / 1000);
    for (const forged of [
      keys.forged('none', claims),
      keys.forged('HS256', claims),
      keys.wrongSignature(claims),
      keys.rs256(claims, keys.unknownKey),
      keys.rs256({ ...claims, exp: now - 3600, nbf: now - 7200 }),
      keys.rs256(claims, keys.webchatKey),
    ]) {
      expect((await post(forged)).status).toBe(401);
    }
  } finally {
    await app?.close();
    await teams?.stop();
    await store.close();
    restoreConsole();
    setLogger(previous);
  }
  const sent = connector.messages.slice(sentBefore).flatMap((m) => m.versions);
  return { lines: buffer.join('').split('\n').filter(Boolean), cards: JSON.stringify([sent, answers]) };
}

const people = () => [
  ...demo.partner.admins.map((a) => a.displayName),
  ...demo.customers.flatMap((c) => c.users.flatMap((u) => [u.displayName, u.userPrincipalName])),
];

function expectNoSecrets(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/eyJ/); // no JWT, whole or in part
}

describe('at info, as production writes it', () => {
  let run: Run;
  beforeAll(async () => {
    // As bot/index.ts wires it: the secrets of the environment scrubbed from every line.
    run = await fullRun('info', (write) => createLogger({ level: 'info', secrets: secretsIn(env), destination: { write } }));
  });

  test('every line is one JSON object with a level, a time, a message and a correlation id', () => {
    expect(run.lines.length).toBeGreaterThanOrEqual(15);
    for (const line of run.lines) {
      const entry = JSON.parse(line);
      expect({ line, level: typeof entry.level, time: typeof entry.time, msg: typeof entry.msg }).toEqual({ line, level: 'string', time: 'string', msg: 'string' });
      expect({ line, correlated: Boolean(entry.activityId || entry.operationId) }).toEqual({ line, correlated: true });
    }
  });

  test('the Save is followed by its operation id, from the click to the result; each activity by its id and conversation hash', () => {
    const entries = run.lines.map((l) => JSON.parse(l));
    const started = entries.find((e) => e.msg === 'operation started');
    const completed = entries.find((e) => e.msg === 'operation completed');
    expect(started).toMatchObject({ level: 'info', customerId: 'contoso', users: 2, operationId: expect.any(String), activityId: expect.any(String) });
    expect(completed).toMatchObject({ operationId: started.operationId, activityId: started.activityId, counts: { succeeded: 2, failed: 0 }, cosmosRequests: expect.any(Number) });
    expect(completed.requestUnits).toBeGreaterThan(0); // what the change cost on Cosmos DB
    const answered = entries.filter((e) => e.msg === 'activity answered');
    expect(answered.find((e) => e.verb === 'saveLicenses')).toMatchObject({ status: 200, activityId: started.activityId, conversation: expect.stringMatching(/^[0-9a-f]{16}$/) });
    // What each turn cost on Cosmos DB, as the server charged it (the emulator reports RU too).
    expect(answered.find((e) => e.verb === 'saveLicenses')).toMatchObject({ cosmosRequests: expect.any(Number), requestUnits: expect.any(Number) });
    expect(answered.find((e) => e.verb === 'saveLicenses').requestUnits).toBeGreaterThan(0);
    expect(answered.find((e) => e.activityId === 'f:prod-activity-1' && e.status === 200)).toMatchObject({ verb: 'showCustomers' });
    expect(entries.filter((e) => e.msg === 'refused a request without a valid Bot Framework token')).toHaveLength(6);
    expect(entries.filter((e) => e.level === 'debug')).toEqual([]);
  });

  test('no app password, Cosmos key, Graph secret or token in the log or any card', () => {
    expectNoSecrets(run.lines.join('\n'));
    expectNoSecrets(run.cards);
  });

  test('no person is named at info: no display name, no UPN, no typed text', () => {
    const log = run.lines.join('\n');
    const named = people().filter((p) => log.includes(p));
    expect(named).toEqual([]);
    expect(log).not.toContain('use contoso');
    expect(run.cards).toContain('Isla Robinson'); // the cards do name them: the check above could fail
  });
});

describe('at debug, with nothing scrubbed after the fact', () => {
  let run: Run;
  beforeAll(async () => {
    // No secrets list and no final scrub: what keeps them out here is redaction by field and what the
    // code chooses to log, not the safety net.
    run = await fullRun('debug', (write) => createLogger({ level: 'debug', scrub: false, destination: { write } }));
  });

  test('debug lines say who sent what and with which headers; the authorization header is redacted', () => {
    const entries = run.lines.map((l) => JSON.parse(l));
    const received = entries.filter((e) => e.msg === 'activity received');
    expect(received.some((e) => e.from?.name === 'Alex Wilber')).toBe(true);
    const prod = received.find((e) => e.activityId === 'f:prod-activity-1');
    expect(prod.headers.authorization).toBe('[Redacted]');
    expect(entries.some((e) => e.msg === 'chunk written')).toBe(true);
  });

  test('still no app password, Cosmos key, Graph secret or token in the log or any card', () => {
    expectNoSecrets(run.lines.join('\n'));
    expectNoSecrets(run.cards);
  });
});

describe('the safety net and the setting', () => {
  test('a secret or token inside an error message, or printed to the console by a library, is scrubbed from the line', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', secrets: secretsIn(env), destination: { write: (l) => void lines.push(l) } });
    const token = keys.rs256(keys.claims(APP_ID, connector.url));
    logger.error({ err: new Error(`sign-in failed for ${FAKE_APP_PASSWORD} with ${token}`) }, `Cosmos refused key ${FAKE_COSMOS_KEY}`);
    const restore = routeConsole(logger);
    try {
      console.error('request failed', { headers: { Authorization: `Bearer ${token}` }, body: `client_secret=${FAKE_GRAPH_SECRET}` });
    } finally {
      restore();
    }
    const text = lines.join('');
    expectNoSecrets(text);
    expect(text).toContain('[Redacted JWT]');
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(['error', 'error']);
  });

  test('LOG_LEVEL is one of pino\'s levels, in any case; anything else stops the start with one line', () => {
    expect(loadSettings({}).LOG_LEVEL).toBe('info');
    expect(loadSettings({ LOG_LEVEL: 'DEBUG' }).LOG_LEVEL).toBe('debug');
    expect(() => loadSettings({ LOG_LEVEL: 'verbose' })).toThrow(SettingsError);
    expect(() => loadSettings({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/);
  });
});
