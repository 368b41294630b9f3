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

test('no more than 3,000 writes go to one tenant in any 150 s', async () => {
  const clock = virtualClock();
  const pacer = new GraphPacer(budget(), clock);
  const sentAt: number[] = [];
  for (let i = 0; i < 250; i++) await pacer.run('t1', 20, async () => void sentAt.push(clock.now()));
  // 150 batches of 20 fit in the first window; the 151st waits until the first leaves it.
  expect(sentAt[149]).toBe(0);
  expect(sentAt[150]).toBe(150_000);
  for (let i = 0; i < sentAt.length; i++) {
    const inWindow = sentAt.filter((t) => t > sentAt[i] - 150_000 && t <= sentAt[i]).length;
    expect(inWindow * 20).toBeLessThanOrEqual(3000);
  }
});

test('the app-wide budget is shared by all tenants; the per-tenant ones are not', async () => {
  const clock = virtualClock();
  const pacer = new GraphPacer(budget(100, 1000, 150), clock);
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
