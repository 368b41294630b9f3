// `npm run faults`: the fault runs of issue 10 with figures (README "Reliability").
//  1. A 500-user change through the fault proxy (test/support/fault-proxy.ts, a real HTTP proxy on
//     loopback before the emulator): 10% lost replies (503 or a reset after the write ran), then a 25%
//     mix of 429, 503, resets and 5 s stalls.
//  2. SIGKILL during a 2,000-user change, and again during its recovery, on real child processes
//     (test/support/runner-process.ts) with the real 60 s lease; a third process finishes it.
// Each run checks seats = holders, every user changed whole and once or untouched, and says what the
// admin's card ends as. Seeded (FAULT_SEED); exits 1 if a check fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { importDataset, loadDataset, type Dataset } from '../domain/dataset';
import { LicenseService } from '../domain/service';
import { cosmosBackends } from '../domain/store/backends';
import { openCosmos, startEmbeddedEmulator, type CosmosStore } from '../domain/store/cosmos';
import { startFaultProxy, type FaultPlan } from '../test/support/fault-proxy';
import { bigTenant } from './big-tenant';

const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', displayName: 'Alex Wilber' };
const seed = Number(process.env.FAULT_SEED ?? 7);
let failures = 0;
const line = (ok: boolean, what: string, detail: string) => {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what.padEnd(44)} ${detail}`);
};

async function checkStore(store: CosmosStore, data: Dataset, operationId: string) {
  const backends = cosmosBackends(store);
  const audit = await backends.directory.seatAudit('bigcorp');
  const seatsRight = Object.values(audit).every((a) => a.consumed === a.holders && a.reservations === 0 && a.consumed <= a.enabled);
  const users = await backends.directory.usersById('bigcorp', data.customers[0].users.map((u) => u.id));
  let whole = 0;
  let untouched = 0;
  let broken = 0;
  const ids = (l: { skuId: string }[]) => JSON.stringify(l.map((x) => x.skuId).sort());
  for (const original of data.customers[0].users) {
    const now = users.get(original.id)!;
    const marks = now.licenseChanges.filter((m) => m.operationId === operationId);
    if (marks.length === 1 && ids(now.assignedLicenses) === ids(marks[0].after)) whole++;
    else if (marks.length === 0 && ids(now.assignedLicenses) === ids(original.assignedLicenses)) untouched++;
    else broken++;
  }
  return { seatsRight, whole, untouched, broken };
}

async function proxyRuns() {
  const data = bigTenant(await loadDataset(path.resolve(__dirname, '../data/demo')), 500);
  const pbi = data.customers[0].skus.find((s) => s.skuPartNumber === 'POWER_BI_PRO')!.skuId;
  const proxy = await startFaultProxy();
  const plans: [string, FaultPlan][] = [
    ['10% lost replies (503 / reset after write)', { seed, rates: { lostReply503: 0.05, lostReplyReset: 0.05 } }],
    ['25% mix: 429, 503, resets, 5 s stalls', { seed, stallMs: 5_000, retryAfterMs: 200, rates: { throttle: 0.07, unavailable: 0.06, reset: 0.06, stall: 0.06 } }],
  ];
  let n = 0;
  for (const [name, plan] of plans) {
    proxy.setPlan(undefined);
    const store = await openCosmos({ endpoint: proxy.endpoint, key: 'faults', database: `faults-${++n}` });
    await importDataset(store, data);
    const service = new LicenseService(cosmosBackends(store));
    const req = { customerKey: 'bigcorp', userIds: data.customers[0].users.map((u) => u.id), licensesToAssign: [{ skuId: pbi }], mode: 'add' as const, requestedBy: ALEX, idempotencyKey: `faults-${n}` };
    const predicted = await service.preview(req);
    proxy.setPlan(plan);
    const before = proxy.counts();
    const started = Date.now();
    const result = await service.apply(req);
    const seconds = (Date.now() - started) / 1000;
    const after = proxy.counts();
    proxy.setPlan(undefined);
    const faults = Object.entries(after).filter(([k]) => k !== 'requests').reduce((s, [k, v]) => s + v - before[k as keyof typeof before], 0);
    const check = await checkStore(store, data, result.operationId);
    const c = result.counts;
    line(result.status === 'completed', `${name}: completed`, `${seconds.toFixed(1)} s, ${after.requests - before.requests} requests, ${faults} faults injected`);
    line(JSON.stringify(c) === JSON.stringify(predicted.counts), '  result = preview', `${c.succeeded} updated · ${c.failed} failed · ${c.noChange} unchanged (the admin's card)`);
    line(check.seatsRight, '  seats = holders', 'every product, no reservation open');
    line(check.broken === 0, '  every user whole or untouched', `${check.whole} changed once, ${check.untouched} untouched, ${check.broken} otherwise`);
    await store.close();
  }
  await proxy.stop();
}

function child(env: Record<string, string>) {
  const root = path.resolve(__dirname, '..');
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/runner-process.ts')], { cwd: root, env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const events: Record<string, unknown>[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    if (process.env.FAULTS_DEBUG) console.log('  child:', l);
    events.push(JSON.parse(l));
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  return { proc, events, exited };
}

async function killRuns() {
  const data = bigTenant(await loadDataset(path.resolve(__dirname, '../data/demo')), 2000);
  const pbi = data.customers[0].skus.find((s) => s.skuPartNumber === 'POWER_BI_PRO')!.skuId;
  const emulator = await startEmbeddedEmulator();
  const store = await openCosmos({ endpoint: emulator.endpoint, key: 'faults', database: 'sigkill' });
  await importDataset(store, data);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'license-desk-faults-'));
  writeFileSync(path.join(dir, 'users.txt'), data.customers[0].users.map((u) => u.id).join('\n'));
  const env = { COSMOS_ENDPOINT: emulator.endpoint, COSMOS_DATABASE: 'sigkill', CUSTOMER: 'bigcorp', SKU: pbi, USER_IDS_FILE: path.join(dir, 'users.txt'), IDEMPOTENCY_KEY: 'sigkill-2000-users', CHUNK_SIZE: '100', WRITE_DELAY_MS: '5' };
  const operations = cosmosBackends(store).operations;
  const service = new LicenseService(cosmosBackends(store));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const started = Date.now();
  const first = child({ ...env, MODE: 'apply' });
  let firstDone = false;
  void first.exited.then(() => (firstDone = true));
  while (!first.events.some((e) => typeof e.progress === 'number' && (e.progress as number) >= 400)) {
    if (firstDone) throw new Error(`the change's process ended before 400 users: ${JSON.stringify(first.events.at(-1))}`);
    await sleep(50);
  }
  first.proc.kill('SIGKILL');
  await first.exited;
  const [{ operationId }] = await service.history(ALEX, 'bigcorp');
  const killedAt = (await operations.get('bigcorp', operationId))!.completedChunks;
  const second = child({ ...env, MODE: 'recover' });
  // Killed again during recovery: once it has journalled two more chunks.
  while ((await operations.get('bigcorp', operationId))!.completedChunks < killedAt + 2) await sleep(200);
  second.proc.kill('SIGKILL');
  await second.exited;
  const killedAgainAt = (await operations.get('bigcorp', operationId))!.completedChunks;
  const third = child({ ...env, MODE: 'recover' });
  await third.exited;
  const seconds = (Date.now() - started) / 1000;
  const op = (await operations.get('bigcorp', operationId))!;
  const check = await checkStore(store, data, operationId);
  const card = third.events.find((e) => e.card === 'result') as { counts?: { succeeded: number; failed: number; noChange: number }; notify?: unknown } | undefined;
  line(op.status === 'completed', 'SIGKILL at 400/2000, again in recovery: done', `${seconds.toFixed(1)} s in all (killed after chunk ${killedAt}, then ${killedAgainAt}; two 60 s leases)`);
  line(check.seatsRight, '  seats = holders', 'every product, no reservation open');
  line(check.broken === 0, '  every user whole or untouched', `${check.whole} changed once, ${check.untouched} untouched, ${check.broken} otherwise`);
  line(!!card && JSON.stringify(card.counts) === JSON.stringify(op.counts), "  the admin's card updated to the result", card ? `${card.counts!.succeeded} updated · ${card.counts!.failed} failed · ${card.counts!.noChange} unchanged, at ${JSON.stringify(card.notify)}` : 'no result sent');
  await store.close();
  await emulator.stop();
}

async function main() {
  console.log(`License Desk fault runs (seed ${seed}), node ${process.version}`);
  if (process.env.FAULTS !== 'kill') await proxyRuns();
  if (process.env.FAULTS !== 'proxy') await killRuns();
  process.exit(failures ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
