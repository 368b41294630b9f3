// What one outsider can send to the internet-facing endpoint: broken or huge compressed bodies,
// pathological text, forged tokens. Each gets a clear 4xx (or a card), the bot keeps answering, and
// nothing is stored.
import http from 'node:http';
import zlib from 'node:zlib';
import { createApp, type App } from '../../bot/server';
import { MAX_BODY_BYTES } from '../../bot/request-body';
import { MAX_COMMAND_CHARS } from '../../bot/teams-bot';
import type { CosmosStore } from '../../domain/store/cosmos';
import { cosmosBackends } from '../../domain/store/backends';
import { BotFrameworkKeys } from '../support/bot-framework-keys';
import { closeStores, demoService, serviceOn } from '../support/store';
import { FakeConnector, PEOPLE, TeamsHarness, personalChat, textOf } from '../support/teams';

let connector: FakeConnector;
let keys: BotFrameworkKeys;
beforeAll(async () => {
  connector = await new FakeConnector().start();
  keys = await new BotFrameworkKeys().start();
});
afterAll(async () => {
  await connector.stop();
  await keys.stop();
  await closeStores();
});

/** A raw POST: what an attacker sends is not always what fetch would make of it. */
function rawPost(port: number, headers: Record<string, string | number>, body: Buffer | string, opts: { endBody?: boolean } = {}) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/messages', method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    // The server may answer and close before the whole body is sent: that is the point.
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    req.write(body);
    if (opts.endBody !== false) req.end();
  });
}

async function healthy(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return res.status;
}

/** Every stored document, to show that a refused request changed nothing. */
async function snapshot(store: CosmosStore) {
  const out: Record<string, unknown[]> = {};
  for (const [name, container] of Object.entries(store.containers)) {
    const { resources } = await container.items.readAll().fetchAll();
    out[name] = resources.map(({ _ts, ...doc }) => doc).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}

/** 100 gzip members of 4 MiB of zeros each: ~400 KB on the wire, 400 MiB inflated. */
function gzipBomb(): Buffer {
  const member = zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: 100 }, () => member));
}

describe('local mode', () => {
  let teams: TeamsHarness;
  const alex = personalChat(PEOPLE.alex);
  beforeEach(async () => {
    const { store } = await demoService();
    teams = await new TeamsHarness(store, connector).start();
  });
  afterEach(() => teams.stop());

  test('a body that says gzip but is not: 400, and the bot goes on answering', async () => {
    const res = await rawPost(teams.port, { 'content-encoding': 'gzip' }, 'this is not gzip at all');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatch(/not valid gzip/);
    expect(await healthy(teams.port)).toBe(200);
    expect(textOf((await teams.say(alex, 'help')).card)).toContain('customers');
  });

  test('a gzip bomb is stopped at the size limit: 413, memory stays flat', async () => {
    const bomb = gzipBomb();
    const before = process.memoryUsage().rss;
    const res = await rawPost(teams.port, { 'content-encoding': 'gzip' }, bomb);
    expect(res.status).toBe(413);
    // Inflating it would take 400 MiB; the limit lets it grow by half a MiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
    expect(await healthy(teams.port)).toBe(200);
  });

  test('too large, or in an encoding we do not read: 413 and 415', async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    expect((await rawPost(teams.port, {}, big)).status).toBe(413);
    // Declared too large: refused before a byte of the body is read.
    expect((await rawPost(teams.port, { 'content-length': MAX_BODY_BYTES * 4 }, '{', { endBody: false })).status).toBe(413);
    expect((await rawPost(teams.port, { 'content-encoding': 'br' }, '{}')).status).toBe(415);
    expect((await rawPost(teams.port, { 'content-encoding': 'deflate' }, zlib.deflateSync('{not json'))).status).toBe(400);
    expect(await healthy(teams.port)).toBe(200);
  });

  test('80,000 dots and an x are read as quickly as a word, and /healthz answers meanwhile', async () => {
    const reply = teams.say(alex, `${'.'.repeat(80_000)}x`);
    expect(await healthy(teams.port)).toBe(200);
    expect(textOf((await reply).card)).toContain('I did not understand');
  });

  test('a message longer than the bot reads gets a card that says so', async () => {
    const reply = await teams.say(alex, 'a'.repeat(MAX_COMMAND_CHARS + 1));
    expect(textOf(reply.card)).toContain(`I read at most ${MAX_COMMAND_CHARS}`);
  });
});

describe('production mode: nothing is read without a valid Teams token', () => {
  const APP_ID = '6f1b4f1e-0000-4000-8000-00000000b07f';
  let app: App;
  let port: number;
  let store: CosmosStore;
  const logged: string[] = [];

  beforeAll(async () => {
    ({ store } = await demoService());
    app = createApp(
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-here', MicrosoftAppType: 'MultiTenant', BUY_MORE_URL: 'https://partner.microsoft.com/' },
      cosmosBackends(store).sessions,
      serviceOn(store),
      (m, e) => logged.push(`${m} ${e ?? ''}`),
      keys.authSettings(),
    );
    port = await app.listen(0, '127.0.0.1');
    app.setReady(true);
  });
  afterAll(() => app.close());

  // An invoke with a verb the bot does not know: it is answered in the HTTP response (no outgoing call
  // to the connector, which would need a real Entra token), 400 from the bot itself once authenticated.
  const activity = () => ({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: 'a1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: PEOPLE.alex,
    recipient: { id: `28:${APP_ID}`, name: 'License Desk' },
    conversation: { id: 'personal-x', conversationType: 'personal', tenantId: 'tenant' },
    channelData: { tenant: { id: 'tenant' } },
    value: { action: { type: 'Action.Execute', verb: 'noSuchVerb', data: {} } },
  });
  const post = (authorization: string | undefined, body: unknown = activity()) =>
    rawPost(port, authorization === undefined ? {} : { authorization }, JSON.stringify(body));

  test('a valid token gets through to the bot (so the refusals below are the token\'s)', async () => {
    const res = await post(`Bearer ${keys.rs256(keys.claims(APP_ID, connector.url))}`);
    expect({ status: res.status, logged }).toEqual({ status: 400, logged: [] });
    expect(res.text).toContain('BadRequest');
  });

  test('with a valid token, a malformed activity is still refused 400 naming the field, and an unsupported invoke answered 200', async () => {
    const token = `Bearer ${keys.rs256(keys.claims(APP_ID, connector.url))}`;
    const malformed = await post(token, { ...activity(), conversation: { id: 42 } });
    expect({ status: malformed.status, fields: JSON.parse(malformed.text).fields }).toEqual({ status: 400, fields: ['conversation.id'] });
    const taskFetch = await post(token, { ...activity(), name: 'task/fetch', value: {} });
    expect({ status: taskFetch.status, body: JSON.parse(taskFetch.text) }).toMatchObject({ status: 200, body: { task: { type: 'message' } } });
    expect(logged).toEqual([]);
  });

  test('every kind of bad token: 401, nothing stored, nothing sent', async () => {
    const before = await snapshot(store);
    const sentBefore = connector.messages.length;
    const claims = keys.claims(APP_ID, connector.url);
    const bad: Record<string, string | undefined> = {
      'no header': undefined,
      'garbage': 'Bearer not.a.token',
      'not bearer': `Basic ${Buffer.from('a:b').toString('base64')}`,
      'alg none on a known key id': `Bearer ${keys.forged('none', claims)}`,
      'HS256 keyed with the public PEM': `Bearer ${keys.forged('HS256', claims)}`,
      'HS256 with Bot Framework issuer': `Bearer ${keys.forged('HS256', claims, 'guessed-secret')}`,
      'wrong signature on a known key id': `Bearer ${keys.wrongSignature(claims)}`,
      'RS256 by an unknown key': `Bearer ${keys.rs256(claims, keys.unknownKey)}`,
      'expired': `Bearer ${keys.rs256({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 })}`,
      'wrong audience': `Bearer ${keys.rs256({ ...claims, aud: 'another-bot' })}`,
      'wrong issuer': `Bearer ${keys.rs256({ ...claims, iss: 'https://evil.example' })}`,
      'wrong serviceurl claim': `Bearer ${keys.rs256({ ...claims, serviceurl: 'https://evil.example/' })}`,
      'key endorsed for another channel': `Bearer ${keys.rs256(claims, keys.webchatKey)}`,
    };
    for (const [name, header] of Object.entries(bad)) {
      const res = await post(header);
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
    expect(connector.messages.length).toBe(sentBefore);
    expect(await snapshot(store)).toEqual(before);
    expect(logged.join('\n')).not.toMatch(/eyJ/); // no token in the log
  });

  test('a gzip bomb without a token is refused before its body is read', async () => {
    // The body is never finished: the answer must come from the headers alone.
    const res = await rawPost(port, { 'content-encoding': 'gzip' }, gzipBomb().subarray(0, 64 * 1024), { endBody: false });
    expect(res.status).toBe(401);
    expect(await healthy(port)).toBe(200);
  });
});
