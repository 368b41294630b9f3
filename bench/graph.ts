// `npm run bench:graph` (also the second half of `npm run bench`): a Graph-mode change for 10,000 users
// against the Graph fake (HTTPS on loopback, the real @azure/identity credential and client).
// The budget is scaled down from Graph's 3,000 writes per 150 s per app and tenant to 300 per 15 s:
// the same rate (20 users/s, so the floor for 10,000 users is the same 500 s), and the same shape — a
// sliding window per app and tenant in the fake (throttle.ts), counting each write when it arrives —
// but a window ten times shorter, so the run shows many windows (33 instead of 3) and the pacing
// across them, not mostly the first window's free burst. The client is not told the fake's window or
// its alignment: it paces as it does against Graph (a write counted until a window after its reply,
// 95% of the rate; domain/graph/pacing.ts).
// Reports the time against the budget's floor (users ÷ allowed rate; goal within 10%), the requests
// the fake received inside a Retry-After (goal 0), the 429s (goal 0: the client stays under the
// budget), and two customers changed side by side, each at its own tenant's pace. Exits 1 if a goal
// is missed. BENCH_GRAPH_USERS, BENCH_GRAPH_PARALLEL_USERS, BENCH_GRAPH_LIMIT, BENCH_GRAPH_WINDOW_S
// resize it.
import path from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { importDataset, loadDataset } from '../domain/dataset';
import { GraphClient } from '../domain/graph';
import { PACING_HEADROOM } from '../domain/graph/pacing';
import { LicenseService } from '../domain/service';
import { graphBackends, GRAPH_RUNNER_OPTIONS } from '../domain/store/backends';
import { openCosmos } from '../domain/store/cosmos';
import { startEmulatorProcess } from './emulator';
import { writeReport } from './report';
import { fakeSettings, trustingAgent } from '../test/support/graph-fake/client-setup';
import { GraphFake, IDS } from '../test/support/graph-fake/server';

const USERS = Number(process.env.BENCH_GRAPH_USERS ?? 10_000);
const PARALLEL_USERS = Number(process.env.BENCH_GRAPH_PARALLEL_USERS ?? 3_000);
const LIMIT = Number(process.env.BENCH_GRAPH_LIMIT ?? 300);
const WINDOW_S = Number(process.env.BENCH_GRAPH_WINDOW_S ?? 15);
const RATE = LIMIT / WINDOW_S; // writes per second Graph allows per app and tenant
const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', displayName: 'Alex Wilber' };
const E3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';
const FABRIKAM_M365_E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';

interface Line {
  ok: boolean;
  name: string;
  value: string;
  goal: string;
  note: string;
}
const lines: Line[] = [];
const print = (l: Line) => console.log(`${l.ok ? 'ok  ' : 'MISS'} ${l.name.padEnd(30)} ${l.value.padStart(8)}  goal ${l.goal.padEnd(8)} ${l.note}`);
/** Printed as it comes: a 10,000-user run takes minutes at Graph's pace. */
const report = (ok: boolean, name: string, value: number | string, goal: string, note = '') => {
  const line = { ok, name, value: typeof value === 'number' ? value.toFixed(1) : value, goal, note };
  lines.push(line);
  print(line);
};

/** The issue's floor: users ÷ allowed rate (a sliding window lets the first window's writes go at once, so a run can beat it). */
const floorSeconds = (users: number) => users / RATE;

async function main(): Promise<boolean> {
  const agent = trustingAgent();
  const budget = { limit: LIMIT, windowMs: WINDOW_S * 1000 };
  const fake = await new GraphFake({
    extraUsers: { contoso: USERS, fabrikam: PARALLEL_USERS },
    budgets: { [IDS.contoso]: budget, [IDS.fabrikam]: budget },
    deltaPageSize: 999,
  }).start();
  for (const [tenant, sku] of [[IDS.contoso, E3], [IDS.fabrikam, FABRIKAM_M365_E3]]) {
    fake.tenant(tenant).skus.find((s) => s.skuId === sku)!.prepaidUnits.enabled = USERS + PARALLEL_USERS + 100;
  }
  // The emulator in a process of its own (as in bench/run.ts): in this one, its CPU was the bot's and the
  // fake's, and two customers side by side were held back by it, not by their budgets.
  const emulator = await startEmulatorProcess();
  const store = await openCosmos({ endpoint: emulator.endpoint, key: 'bench', database: 'bench-graph' });
  try {
    await importDataset(store, await loadDataset(path.resolve(__dirname, '../data/demo')));
    const settings = fakeSettings(fake, 'secret', { GRAPH_WRITES_PER_APP_TENANT: String(LIMIT), GRAPH_WRITES_PER_APP_TENANT_WINDOW_S: String(WINDOW_S) });
    const backends = graphBackends(store, new GraphClient(settings, { agent }), settings);
    const service = new LicenseService(backends, GRAPH_RUNNER_OPTIONS);
    const loadIds = (tenant: string, n: number) => [...fake.tenant(tenant).users.values()].filter((u) => String(u.displayName).startsWith('Load User')).slice(0, n).map((u) => u.id);

    let t = performance.now();
    await backends.directory.refresh('contoso');
    await backends.directory.refresh('fabrikam');
    report(true, 'mirror fill (s)', (performance.now() - t) / 1000, 'info', `${USERS + 40} + ${PARALLEL_USERS + 25} users from GET /users`);

    // 1. One customer, 10,000 users: the time against the budget's floor.
    const users = loadIds(IDS.contoso, USERS);
    const change = (customerKey: string, userIds: string[], skuId: string) => ({
      customerKey, userIds, requestedBy: ALEX, idempotencyKey: `bench-${customerKey}-${Date.now()}`, licensesToAssign: [{ skuId }], mode: 'add' as const,
    });
    let progress = 0;
    t = performance.now();
    const startedAt = Date.now();
    const big = await service.apply(change('contoso', users, E3), () => progress++);
    const seconds = (performance.now() - t) / 1000;
    // Before the first write: the fresh read of every selected user (20 per $batch) and the journal entry.
    const firstWrite = fake.requests.find((r) => r.at >= startedAt && r.kind === 'batchItem' && r.method === 'POST');
    const lastWrite = fake.requests.filter((r) => r.kind === 'batchItem' && r.method === 'POST').at(-1);
    report(true, 'apply: first write after (s)', firstWrite ? (firstWrite.at - startedAt) / 1000 : 'none', 'info', `then writes until ${lastWrite ? ((lastWrite.at - startedAt) / 1000).toFixed(1) : '?'} s`);
    const floor = floorSeconds(USERS);
    report(big.counts.succeeded === USERS, 'apply: users updated', String(big.counts.succeeded), `= ${USERS}`, `${big.counts.failed} failed`);
    report(seconds <= floor * 1.1, `apply ${USERS} users (s)`, seconds, `≤ ${(floor * 1.1).toFixed(0)}`, `floor ${floor.toFixed(0)} s = ${USERS} ÷ ${RATE}/s; ${(seconds / floor * 100).toFixed(0)}% of it; ${progress} progress calls`);
    const applied = fake.tenant(IDS.contoso).applied;
    report(users.every((u) => applied.get(u) === 1), 'each user written once', 'yes', 'yes');

    // 2. Two customers side by side: each near its own ceiling, neither waiting for the other.
    const [a, b] = [loadIds(IDS.contoso, PARALLEL_USERS), loadIds(IDS.fabrikam, PARALLEL_USERS)];
    t = performance.now();
    const timedApply = async (customerKey: string, ids: string[], sku: string) => {
      const start = performance.now();
      // Contoso's users already hold E3: its second run assigns Visio instead.
      const r = await service.apply(change(customerKey, ids, sku));
      return { r, s: (performance.now() - start) / 1000 };
    };
    const VISIO = 'c5928f49-12ba-48f7-ada3-0d743a3601d5';
    fake.tenant(IDS.contoso).skus.find((s) => s.skuId === VISIO)!.prepaidUnits.enabled = PARALLEL_USERS + 10;
    // Wait for contoso's budget window to empty first (the client's own, which is longer), so both start from the same place.
    await new Promise((r) => setTimeout(r, (WINDOW_S * 1000) / (1 - PACING_HEADROOM) + 1000));
    t = performance.now();
    const [ra, rb] = await Promise.all([timedApply('contoso', a, VISIO), timedApply('fabrikam', b, FABRIKAM_M365_E3)]);
    const both = (performance.now() - t) / 1000;
    const pFloor = floorSeconds(PARALLEL_USERS);
    for (const [name, x] of [['contoso', ra], ['fabrikam', rb]] as const) {
      const rate = PARALLEL_USERS / x.s;
      report(x.r.counts.succeeded === PARALLEL_USERS && x.s <= pFloor * 1.1, `parallel: ${name} (users/s)`, rate, `≥ ${(RATE / 1.1).toFixed(1)}`, `${PARALLEL_USERS} users in ${x.s.toFixed(0)} s; ceiling ${RATE}/s`);
    }
    report(both <= pFloor * 1.1, 'parallel: both together (s)', both, `≤ ${(pFloor * 1.1).toFixed(0)}`, `one after the other would take ≥ ${(2 * pFloor).toFixed(0)} s`);

    const inside = fake.requests.filter((r) => r.insideRetryAfter).length;
    const throttled = fake.requests.filter((r) => r.status === 429);
    const writes = fake.requests.filter((r) => r.kind === 'batchItem' && r.method === 'POST').length;
    report(inside === 0, 'requests inside a Retry-After', String(inside), '= 0', `of ${fake.requests.length} requests`);
    report(throttled.length === 0, 'answered 429', String(throttled.length), '= 0', `${throttled.filter((r) => r.kind === 'batchItem').length} of them inside $batch; ${writes} assignLicense calls for ${USERS + 2 * PARALLEL_USERS} users`);
    return lines.every((l) => l.ok);
  } finally {
    agent.destroy();
    await fake.stop();
    await store.close();
    await emulator.stop();
  }
}

/** The figures as a section of BENCHMARKS.md ("Graph, N users"), with the load before and after. */
function writeSection(loadAtStart: number[]): void {
  const load = (l: number[]) => `${l[0].toFixed(2)} / ${l[1].toFixed(2)} / ${l[2].toFixed(2)}`;
  const table = ['| | figure | value | goal | note |', '| --- | --- | --- | --- | --- |', ...lines.map((l) => `| ${l.ok ? 'ok' : 'MISS'} | ${l.name} | ${l.value} | ${l.goal} | ${l.note} |`)].join('\n');
  const body = `Budget ${LIMIT} writes per ${WINDOW_S} s per tenant (${RATE}/s); load average (1 / 5 / 15 min) ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end.\n\n${table}`;
  const env = [USERS !== 10_000 && `BENCH_GRAPH_USERS=${USERS}`, PARALLEL_USERS !== 3_000 && `BENCH_GRAPH_PARALLEL_USERS=${PARALLEL_USERS}`, LIMIT !== 300 && `BENCH_GRAPH_LIMIT=${LIMIT}`, WINDOW_S !== 15 && `BENCH_GRAPH_WINDOW_S=${WINDOW_S}`].filter(Boolean).join(' ');
  writeReport(`Graph, ${USERS.toLocaleString('en-US')} users`, `${env ? `${env} ` : ''}npm run bench:graph`, body);
}

if (require.main === module) {
  console.log(`License Desk Graph benchmark: ${USERS} users, budget ${LIMIT} writes per ${WINDOW_S} s per tenant (${RATE}/s), node ${process.version}`);
  const loadAtStart = os.loadavg();
  main().then(
    (ok) => {
      writeSection(loadAtStart);
      process.exit(ok ? 0 : 1);
    },
    (e) => {
      console.error('Graph benchmark failed:', e);
      process.exit(1);
    },
  );
}
