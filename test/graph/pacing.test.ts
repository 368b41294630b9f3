// The pacer on a virtual clock (sleeping advances it), so budgets measured in minutes run in
// milliseconds and no assertion depends on the machine's speed.
import { GraphPacer, readGraphSettings, retryAfterMs, type Clock } from '../../domain/graph';

function virtualClock(): Clock & { t: number } {
  const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
  return clock;
}

const budget = (perAppAndTenant = 3000, perTenant = 18000, perApp = 70000) => ({
  perAppAndTenant: { limit: perAppAndTenant, windowMs: 150_000 },
  perTenant: { limit: perTenant, windowMs: 300_000 },
  perApp: { limit: perApp, windowMs: 300_000 },
});

test('3,000 writes go to one tenant at once, then no more than 3,000 in any 158 s (95% of the rate)', async () => {
  const clock = virtualClock();
  const pacer = new GraphPacer(budget(), clock);
  const sentAt: number[] = [];
  for (let i = 0; i < 400; i++) await pacer.run('t1', 20, async () => void sentAt.push(clock.now()));
  // 150 batches of 20 fit in the first window; the 151st waits until the first leaves License Desk's
  // window, 150 s ÷ 0.95 after it.
  expect(sentAt[149]).toBe(0);
  expect(sentAt[150]).toBe(157_895);
  expect(sentAt[300]).toBe(2 * 157_895);
  for (let i = 0; i < sentAt.length; i++) {
    const inWindow = sentAt.filter((t) => t > sentAt[i] - 157_895 && t <= sentAt[i]).length;
    expect(inWindow * 20).toBeLessThanOrEqual(3000);
  }
});

test('with no headroom, a window is exactly the budget', async () => {
  const clock = virtualClock();
  const pacer = new GraphPacer(budget(300), clock, 1, 0);
  const sentAt: number[] = [];
  for (let i = 0; i < 16; i++) await pacer.run('t1', 20, async () => void sentAt.push(clock.now()));
  expect(sentAt[14]).toBe(0);
  expect(sentAt[15]).toBe(150_000);
});

test('a write counts until a window after its reply, not after it was sent', async () => {
  const clock = virtualClock();
  const pacer = new GraphPacer(budget(40), clock, 1, 0);
  const sentAt: number[] = [];
  // Each request takes 2 s to answer.
  const send = async () => {
    sentAt.push(clock.now());
    await clock.sleep(2000);
  };
  for (let i = 0; i < 3; i++) await pacer.run('t1', 20, send);
  // The first went at 0 and was answered at 2 s: Graph may have counted it as late as 2 s, so the
  // third waits until 2 s + 150 s, not until 150 s.
  expect(sentAt).toEqual([0, 2000, 152_000]);
});

test.each([
  ['up to 3 s', 3000],
  ['up to 0.5 s', 500],
])('whenever Graph counts a write between sending and reply (latency %s), no window of its clock holds more than the budget', async (_, maxLatencyMs) => {
  // Graph's window alignment and the moment it counts a request are unknown to the client: here each
  // request is counted at a varying point of its flight, on a clock 37 s off, with varying latency.
  const clock = virtualClock();
  const limit = 300;
  const windowMs = 15_000;
  const pacer = new GraphPacer({ perAppAndTenant: { limit, windowMs }, perTenant: { limit: 18000, windowMs: 300_000 }, perApp: { limit: 70000, windowMs: 300_000 } }, clock, 1, 0);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const counted: number[] = [];
  const batches = 400;
  for (let i = 0; i < batches; i++) {
    await pacer.run('t1', 20, async () => {
      const latency = 5 + Math.floor(random() * maxLatencyMs);
      const countedAfter = Math.floor(random() * latency);
      await clock.sleep(countedAfter);
      counted.push(clock.now() + 37_000);
      await clock.sleep(latency - countedAfter);
    });
  }
  for (const t of counted) {
    const inWindow = counted.filter((c) => c > t - windowMs && c <= t).length * 20;
    expect(inWindow).toBeLessThanOrEqual(limit);
  }
  // …and, when 15 requests take less than a window one after the other, the client is not slower than
  // it must be: the budget per window, each window stretched by at most one reply's time (no headroom here).
  const windows = (batches * 20) / limit - 1;
  if (maxLatencyMs * (limit / 20) < windowMs) expect(clock.now()).toBeLessThanOrEqual(windows * (windowMs + maxLatencyMs) + maxLatencyMs * (limit / 20));
});

test('the app-wide budget is shared by all tenants; the per-tenant ones are not', async () => {
  const clock = virtualClock();
  const pacer = new GraphPacer(budget(100, 1000, 150), clock, 1, 0);
  const sent: { tenant: string; at: number }[] = [];
  for (const tenant of ['a', 'b']) {
    for (let i = 0; i < 5; i++) await pacer.run(tenant, 20, async () => void sent.push({ tenant, at: clock.now() }));
  }
  // Tenant a: 100 writes at once. Tenant b: only 50 more fit the app's 150, the rest after 300 s.
  expect(sent.filter((s) => s.tenant === 'a').every((s) => s.at === 0)).toBe(true);
  expect(sent.filter((s) => s.tenant === 'b' && s.at === 0)).toHaveLength(2);
  expect(sent.filter((s) => s.tenant === 'b').at(-1)!.at).toBe(300_000);
});

test('a Retry-After holds back every request to that tenant, and only that tenant', async () => {
  const clock = virtualClock();
  const pacer = new GraphPacer(budget(), clock);
  await pacer.run('t1', 0, async () => pacer.pause('t1', retryAfterMs('7', clock.now())));
  let otherAt = -1;
  await pacer.run('t2', 0, async () => void (otherAt = clock.now()));
  expect(otherAt).toBe(0);
  let nextAt = -1;
  await pacer.run('t1', 0, async () => void (nextAt = clock.now()));
  expect(nextAt).toBe(7000);
});

test('one request at a time per tenant by default, so a 429 is seen before anything else is sent', async () => {
  const pacer = new GraphPacer(budget());
  let inFlight = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 5 }, () =>
      pacer.run('t1', 1, async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
      }),
    ),
  );
  expect(most).toBe(1);
});

test('settings: defaults, and one line per problem', () => {
  const ok = readGraphSettings({ GRAPH_CLIENT_ID: '3f9a4c2e-6b1d-4e8a-9c7f-2d5e8b1a4c6f', GRAPH_CLIENT_SECRET: 's' });
  expect(ok).toMatchObject({
    ok: true,
    settings: {
      graphEndpoint: 'https://graph.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      disableInstanceDiscovery: false,
      customers: 'partner',
      credential: { kind: 'secret' },
      budget: { perAppAndTenant: { limit: 3000, windowMs: 150_000 }, perTenant: { limit: 18000, windowMs: 300_000 }, perApp: { limit: 70000, windowMs: 300_000 } },
    },
  });
  const custom = readGraphSettings({ GRAPH_CLIENT_ID: '3f9a4c2e-6b1d-4e8a-9c7f-2d5e8b1a4c6f', GRAPH_CLIENT_SECRET: 's', AZURE_AUTHORITY_HOST: 'https://localhost:8443/' });
  expect(custom.ok && custom.settings.disableInstanceDiscovery).toBe(true);
  const bad = readGraphSettings({ GRAPH_CLIENT_ID: 'nope', GRAPH_CLIENT_SECRET: 's', GRAPH_CLIENT_CERTIFICATE_PATH: '/x.pem', GRAPH_CUSTOMERS: 'all' });
  expect(bad.ok).toBe(false);
  const problems = bad.ok ? [] : bad.problems;
  expect(problems).toHaveLength(4); // client id, customers, two credential kinds, and the missing certificate file
  expect(problems).toContain('GRAPH_CLIENT_CERTIFICATE_PATH: no file at /x.pem');
  expect(problems.some((p) => p.startsWith('GRAPH_CLIENT_ID:'))).toBe(true);
  expect(problems.some((p) => p.startsWith('GRAPH_CUSTOMERS:'))).toBe(true);
  expect(problems.some((p) => /exactly one of .*GRAPH_CLIENT_SECRET and GRAPH_CLIENT_CERTIFICATE_PATH are set/.test(p))).toBe(true);
  const missing = readGraphSettings({ GRAPH_CLIENT_ID: '3f9a4c2e-6b1d-4e8a-9c7f-2d5e8b1a4c6f', GRAPH_CLIENT_CERTIFICATE_PATH: '/nowhere/app.pem' });
  expect(missing.ok ? [] : missing.problems).toEqual(['GRAPH_CLIENT_CERTIFICATE_PATH: no file at /nowhere/app.pem']);
  const none = readGraphSettings({ GRAPH_CLIENT_ID: '3f9a4c2e-6b1d-4e8a-9c7f-2d5e8b1a4c6f' });
  expect(none.ok ? [] : none.problems).toEqual([expect.stringMatching(/none is set/)]);
});
