// Whatever arrives at /api/messages, shaped like an activity or not: a malformed envelope is answered
// 400 naming the field, an invoke the bot does not support gets the answer Teams expects for it, and
// nothing gets a 5xx, throws inside a turn, or changes a stored document. Local mode, over real HTTP.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { MAX_ACTIVITY_DEPTH } from '../../bot/activity-envelope';
import { MAX_FILTER_CHARS } from '../../bot/session';
import type { CosmosStore } from '../../domain/store/cosmos';
import { closeStores, demoService } from '../support/store';
import { FakeConnector, PEOPLE, TENANT, TeamsHarness, personalChat, textOf } from '../support/teams';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1200);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

let connector: FakeConnector;
const logged: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  connector = await new FakeConnector().start();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await connector.stop();
  await closeStores();
});

const alex = personalChat(PEOPLE.alex);
const log = (message: string, err?: unknown) => void logged.push(`${message} ${err instanceof Error ? err.stack : (err ?? '')}`.slice(0, 2000));

/** Every stored document of every container, exactly as stored (etags and timestamps included). */
async function snapshot(store: CosmosStore): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const [name, container] of Object.entries(store.containers)) {
    const { resources } = await container.items.readAll().fetchAll();
    out[name] = resources.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return JSON.stringify(out);
}

/** A valid activity as Teams sends it, of each kind the fuzzing starts from. */
function valid(kind: string): Record<string, any> {
  const envelope = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { ...PEOPLE.alex },
    recipient: { id: '28:license-desk', name: 'License Desk' },
    conversation: { ...alex.conversation },
    locale: 'en-US',
    channelData: { tenant: { id: TENANT } },
  };
  switch (kind) {
    case 'message':
      return { ...envelope, type: 'message', text: 'help', entities: [{ type: 'clientInfo', locale: 'en-US' }] };
    case 'action':
      return { ...envelope, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'showCustomers', data: { verb: 'showCustomers' } } } };
    case 'conversationUpdate':
      return { ...envelope, type: 'conversationUpdate', membersAdded: [{ id: '28:license-desk' }] };
    case 'messageReaction':
      return { ...envelope, type: 'messageReaction', replyToId: 'msg-1', reactionsAdded: [{ type: 'like' }] };
    case 'installationUpdate':
      return { ...envelope, type: 'installationUpdate', action: 'add' };
    case 'typing':
      return { ...envelope, type: 'typing' };
    default:
      return { ...envelope, type: 'invoke', name: kind, value: {} };
  }
}
const KINDS = ['message', 'action', 'conversationUpdate', 'messageReaction', 'installationUpdate', 'typing', 'task/fetch', 'composeExtension/query'];

// ---- mutations -------------------------------------------------------------------------------------

type Path = (string | number)[];
type Mutation = { path: Path; value?: unknown; remove?: boolean };

/** Sets (or removes) a value deep inside; missing parents are created, a non-object parent stays as it is. */
function apply(activity: Record<string, any>, m: Mutation) {
  let node: any = activity;
  for (let i = 0; i < m.path.length - 1; i++) {
    const key = m.path[i];
    if (node[key] === undefined || node[key] === null) node[key] = typeof m.path[i + 1] === 'number' ? [] : {};
    node = node[key];
    if (!node || typeof node !== 'object') return;
  }
  const last = m.path[m.path.length - 1];
  if (m.remove) delete node[last];
  else node[last] = m.value;
}

const huge = (min: number) => fc.integer({ min, max: min + 20_000 }).map((n) => 'x'.repeat(n));
const garbage = fc.anything({ maxDepth: 3, maxKeys: 5, withNullPrototype: true, withBoxedValues: false });
const nonString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.array(garbage, { maxLength: 3 }), fc.dictionary(fc.string(), garbage, { maxKeys: 3 }));
const nonObject = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 20 }), fc.array(garbage, { maxLength: 3 }));
const nonArray = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 20 }), fc.dictionary(fc.string(), garbage, { maxKeys: 3 }));
const badUrl = fc.oneof(
  fc.constantFrom('', 'not a url', 'ftp://example.com/', 'javascript:alert(1)', 'file:///etc/passwd', 'http://', 'mailto:a@b.c', '//127.0.0.1/'),
  huge(2049).map((s) => `https://${s}`),
  nonString,
);

/** Paths the envelope requires, strings it bounds (with their limit), objects and arrays it reads. */
const REQUIRED: Path[] = [['type'], ['channelId'], ['serviceUrl'], ['from'], ['from', 'id'], ['recipient'], ['recipient', 'id'], ['conversation'], ['conversation', 'id']];
const STRINGS: [Path, number][] = [
  [['type'], 64], [['id'], 1024], [['channelId'], 64], [['from', 'id'], 1024], [['from', 'name'], 1024], [['from', 'aadObjectId'], 128],
  [['recipient', 'id'], 1024], [['conversation', 'id'], 2048], [['conversation', 'tenantId'], 128], [['conversation', 'conversationType'], 64],
  [['locale'], 100], [['name'], 256], [['replyToId'], 1024], [['channelData', 'tenant', 'id'], 128], [['channelData', 'eventType'], 128],
  [['timestamp'], 64], [['action'], 64], [['membersAdded', 0, 'id'], 1024], [['reactionsAdded', 0, 'type'], 256], [['entities', 0, 'type'], 256],
];
const OBJECTS: Path[] = [['from'], ['recipient'], ['conversation'], ['channelData'], ['channelData', 'tenant'], ['membersAdded', 0]];
const ARRAYS: Path[] = [['membersAdded'], ['membersRemoved'], ['reactionsAdded'], ['entities'], ['attachments']];

/** A change that makes the envelope malformed, whatever else is changed before or after it. */
const breaking: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...REQUIRED).map((path) => ({ path, remove: true })),
  fc.tuple(fc.constantFrom(...REQUIRED), fc.constant(null)).map(([path, value]) => ({ path, value })),
  fc.tuple(fc.constantFrom(...STRINGS), nonString).map(([[path], value]) => ({ path, value })),
  fc.constantFrom(...STRINGS).chain(([path, max]) => huge(max + 1).map((value) => ({ path, value }))),
  fc.tuple(fc.constantFrom(['text'] as Path, ['from', 'aadObjectId'] as Path), nonString).map(([path, value]) => ({ path, value })),
  fc.tuple(fc.constantFrom(...OBJECTS), nonObject).map(([path, value]) => ({ path, value })),
  fc.tuple(fc.constantFrom(...ARRAYS), nonArray).map(([path, value]) => ({ path, value })),
  fc.tuple(fc.constantFrom(['conversation', 'isGroup'] as Path), fc.oneof(fc.string(), fc.integer())).map(([path, value]) => ({ path, value })),
  badUrl.map((value) => ({ path: ['serviceUrl'], value })),
  fc.constantFrom('', 0).map((value) => ({ path: ['type'], value })),
  fc.tuple(fc.constantFrom(['value'] as Path, ['channelData', 'deep'] as Path), fc.integer({ min: MAX_ACTIVITY_DEPTH + 1, max: 5_000 })).map(([path, depth]) => ({ path, value: nested(depth) })),
);

/** A change Teams could make tomorrow, or the bot does not care about: it must still be answered well. */
const harmless: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), garbage).map(([k, value]) => ({ path: [`x-${k}`], value })),
  fc.tuple(fc.constantFrom<Path>(['locale'], ['from', 'name'], ['from', 'aadObjectId'], ['conversation', 'tenantId'], ['channelData'], ['timestamp'], ['entities']), fc.constant(null)).map(([path, value]) => ({ path, value })),
  fc.tuple(fc.constantFrom<Path>(['channelData', 'team'], ['channelData', 'settings'], ['conversation', 'extra']), garbage).map(([path, value]) => ({ path, value })),
);

/**
 * JSON nested `depth` deep. Written out as text when sent (see `wire`): JSON.stringify itself would
 * overflow the stack on it, while the server's JSON.parse reads it fine.
 */
const nested = (depth: number) => ({ [DEEP]: depth });
const DEEP = '__nested_depth__';
const wire = (body: unknown) =>
  JSON.stringify(body).replace(new RegExp(`\\{"${DEEP}":(\\d+)\\}`, 'g'), (_, n) => `${'[{"v":'.repeat(Math.ceil(Number(n) / 2))}"bottom"${'}]'.repeat(Math.ceil(Number(n) / 2))}`);

type Case =
  | { expect: 'malformed'; body: unknown }
  | { expect: 'answered'; body: unknown };

const malformedActivity: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...KINDS), fc.array(harmless, { maxLength: 2 }), fc.array(breaking, { minLength: 1, maxLength: 3 }))
  .map(([kind, before, breaks]) => {
    const a = valid(kind);
    for (const m of [...before, ...breaks]) apply(a, m);
    return { expect: 'malformed' as const, body: a };
  });

const notAnActivity: fc.Arbitrary<Case> = fc
  .oneof(fc.integer(), fc.string({ maxLength: 50 }), fc.constant(null), fc.array(garbage, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 10 }), garbage, { maxKeys: 4 }).filter((d) => typeof d.type !== 'string'))
  .map((body) => ({ expect: 'malformed' as const, body }));

const INVOKE_NAMES = ['task/fetch', 'task/submit', 'composeExtension/query', 'composeExtension/fetchTask', 'composeExtension/submitAction', 'composeExtension/selectItem', 'composeExtension/queryLink', 'signin/verifyState', 'signin/tokenExchange', 'healthCheck', 'application/search', 'config/fetch', 'tab/fetch', 'fileConsent/invoke', 'actionableMessage/executeAction', ''];
const TYPES = ['event', 'endOfConversation', 'messageUpdate', 'messageDelete', 'contactRelationUpdate', 'suggestion', 'trace', 'handoff', 'command', 'deleteUserData'];

/** Well-formed envelopes the bot has nothing for, or actions whose value is garbage. */
const unsupported: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(
      fc.record({ type: fc.constant('invoke'), name: fc.oneof(fc.constantFrom(...INVOKE_NAMES), fc.string({ maxLength: 40 })), value: fc.option(garbage, { nil: undefined }) }),
      fc.record({ type: fc.constant('invoke'), name: fc.constant('adaptiveCard/action'), value: fc.oneof(garbage, fc.record({ action: fc.record({ type: fc.oneof(fc.constant('Action.Execute'), fc.string()), verb: fc.oneof(fc.string({ maxLength: 80 }), nonString), data: fc.oneof(garbage, nonObject) }) })) }),
      fc.record({ type: fc.oneof(fc.constantFrom(...TYPES), fc.stringMatching(/^[a-zA-Z][a-zA-Z/.]{0,30}$/).filter((t) => !['message', 'invoke', 'conversationUpdate'].includes(t))), name: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }) }),
      // Action.Submit with garbage: a message whose value is not the bot's (answered with a card).
      fc.record({ type: fc.constant('message'), value: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), garbage, { minKeys: 1, maxKeys: 4 }), fc.array(garbage, { minLength: 1, maxLength: 3 }), fc.integer(), fc.string({ minLength: 1 })) }),
      // A filter longer than the search box: a card that says so, nothing stored.
      fc.record({ type: fc.constant('message'), text: huge(MAX_FILTER_CHARS + 1).map((s) => `users ${s}`) }),
    ),
    fc.array(harmless, { maxLength: 2 }),
  )
  .map(([shape, extra]) => {
    const a: Record<string, any> = { ...valid('typing'), ...shape };
    for (const k of Object.keys(a)) if (a[k] === undefined) delete a[k];
    for (const m of extra) apply(a, m);
    return { expect: 'answered' as const, body: a };
  });

// ---- the run ---------------------------------------------------------------------------------------

describe('malformed and unsupported activities (one bot, one store, local mode)', () => {
  let teams: TeamsHarness;
  let store: CosmosStore;
  let helpMs = 0;

  async function timedHelp() {
    const started = performance.now();
    const reply = await teams.say(alex, 'help');
    expect(textOf(reply.card)).toContain('customers');
    return performance.now() - started;
  }

  beforeAll(async () => {
    ({ store } = await demoService());
    teams = await new TeamsHarness(store, connector, log).start();
    // A session with state (customer, a filter, a page), so that a malformed activity had something to break.
    await teams.say(alex, 'use Contoso');
    await teams.say(alex, 'users');
    await teams.waitForBackground();
    const times = [await timedHelp(), await timedHelp(), await timedHelp()];
    helpMs = Math.max(...times);
    logged.length = 0;
  });
  afterAll(() => teams.stop());

  /** Posts it and checks what holds for every request: no 5xx, a bounded answer, nothing logged. */
  async function send(body: unknown) {
    const res = await teams.post(wire(body));
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(res.body ?? '').length).toBeLessThan(2_000);
    return res;
  }

  describe('the cases of the finding', () => {
    const envelope = () => valid('action');

    test('a serviceUrl that is a number: 400 naming serviceUrl (was 500 "endpoint.toLowerCase is not a function")', async () => {
      const res = await send({ ...valid('message'), serviceUrl: 12345 });
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual(['serviceUrl']);
      expect(res.body.error).toMatch(/serviceUrl/);
    });

    test.each([
      ['task/fetch', { task: { type: 'message', value: expect.stringContaining('help') } }],
      ['task/submit', { task: { type: 'message', value: expect.stringContaining('help') } }],
      ['composeExtension/query', { composeExtension: { type: 'message', text: expect.stringContaining('help') } }],
      ['composeExtension/fetchTask', { task: { type: 'message', value: expect.stringContaining('help') } }],
      ['healthCheck', { healthResults: { success: true, messages: expect.any(Array) } }],
      ['application/search', { statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results: [] } }],
    ])('invoke %s: 200 with the response Teams expects (was 501)', async (name, body) => {
      const res = await send({ ...envelope(), name, value: {} });
      expect(res).toEqual({ status: 200, body });
    });

    test.each(['signin/verifyState', 'signin/tokenExchange', '', 'config/fetch', 'no/such-invoke'])('invoke "%s": a plain 200 (was 501)', async (name) => {
      expect(await send({ ...envelope(), name, value: { state: '123' } })).toEqual({ status: 200, body: undefined });
      const { name: _, ...withoutName } = envelope();
      expect((await send(withoutName)).status).toBe(200);
    });

    test('German client: the task module says it in German', async () => {
      const res = await send({ ...envelope(), name: 'task/fetch', locale: 'de-DE', value: {} });
      expect(res.body.task.value).toContain('hilfe');
    });

    test.each([
      ['conversation.id', { conversation: { ...alex.conversation, id: 42 } }],
      ['locale', { locale: 7 }],
      ['text', { type: 'message', text: { not: 'a string' } }],
      ['from.aadObjectId', { from: { ...PEOPLE.alex, aadObjectId: 12 } }],
    ])('%s of the wrong type: 400 naming it (was 501 or a failed turn)', async (field, change) => {
      const res = await send({ ...envelope(), ...change });
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual([field]);
    });

    test('a huge value is never echoed: the answer names the field and its limit', async () => {
      const res = await send({ ...valid('message'), locale: 'x'.repeat(100_000), ['k'.repeat(50_000)]: 1, channelData: { tenant: { id: 'y'.repeat(100_000) } } });
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual(['locale', 'channelData.tenant.id']);
      expect(res.body.error).toContain('at most 100');
    });

    test('JSON nested thousands deep: 400, not a stack overflow', async () => {
      const res = await send({ ...envelope(), value: { action: { type: 'Action.Execute', verb: 'showCustomers', data: nested(20_000) } } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/nested deeper/);
    });
  });

  describe('what Teams legitimately sends still gets through', () => {
    test('the bot added to a chat (conversationUpdate): the welcome card', async () => {
      const before = connector.messages.length;
      expect((await send(valid('conversationUpdate'))).status).toBe(200);
      expect(textOf(connector.messages[before].card)).toContain('customers');
    });

    test.each(['messageReaction', 'installationUpdate', 'typing'])('%s: 200', async (kind) => {
      expect((await send(valid(kind))).status).toBe(200);
    });

    test('a message update and a soft delete (channelData.eventType), an event, and null where a field is not set: 200', async () => {
      expect((await send({ ...valid('typing'), type: 'messageUpdate', channelData: { tenant: { id: TENANT }, eventType: 'editMessage' } })).status).toBe(200);
      expect((await send({ ...valid('typing'), type: 'messageDelete', channelData: { tenant: { id: TENANT }, eventType: 'softDeleteMessage' } })).status).toBe(200);
      expect((await send({ ...valid('typing'), type: 'event', name: 'application/vnd.microsoft.meetingStart', value: { Id: 'm' } })).status).toBe(200);
      const reply = connector.messages.length;
      expect((await send({ ...valid('message'), locale: null, textFormat: 'plain', from: { ...PEOPLE.alex, name: null }, attachments: [{ contentType: 'text/html', content: '<p>help</p>' }] })).status).toBe(200);
      expect(textOf(connector.messages[reply].card)).toContain('customers');
    });

    test('a card click (adaptiveCard/action) as Teams sends it: the card', async () => {
      const res = await send(valid('action'));
      expect(res.status).toBe(200);
      expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
    });
  });

  test(`${RUNS} generated malformed and unsupported activities: no 5xx, malformed ones 400, nothing stored, nothing thrown`, async () => {
    await teams.waitForBackground();
    logged.length = 0;
    const before = await snapshot(store);
    let malformed = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: malformedActivity, weight: 6 }, { arbitrary: unsupported, weight: 3 }, { arbitrary: notAnActivity, weight: 1 }), async (c) => {
        const res = await send(c.body);
        if (c.expect === 'malformed') {
          malformed++;
          expect(res.status).toBe(400);
          expect(typeof res.body.error).toBe('string');
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    await teams.waitForBackground();
    expect(malformed).toBeGreaterThan(RUNS / 2);
    expect(logged).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(await snapshot(store)).toBe(before);
    // And the bot still answers as quickly as it did (generously: this is no speed test, just "not stuck").
    expect(await timedHelp()).toBeLessThan(Math.max(10 * helpMs, 5_000));
  });

  test('the users card works after a too-long filter, and keeps the filter it had', async () => {
    await teams.say(alex, 'users sales');
    const refused = await teams.say(alex, `users ${'a'.repeat(300_000)}`);
    expect(textOf(refused.card)).toContain(`at most ${MAX_FILTER_CHARS}`);
    const list = await teams.say(alex, 'users');
    expect(textOf(list.card)).not.toContain('Something went wrong');
    const session = (await store.containers.sessions.items.readAll().fetchAll()).resources.find((s) => s.filter?.text);
    expect(session?.filter.text).toBe('sales');
  });

  test('a session that holds a huge filter from before the limit recovers: the filter is dropped, the list shows', async () => {
    const { resources } = await store.containers.sessions.items.readAll().fetchAll();
    const session = resources.find((s) => s.customerKey) as { id: string };
    await store.containers.sessions.item(session.id, session.id).replace({ ...session, filter: { text: 'z'.repeat(900_000) } });
    const list = await teams.say(alex, 'users');
    expect(textOf(list.card)).not.toContain('Something went wrong');
    expect(list.card.body.length).toBeGreaterThan(2);
  });
});
