// SIGTERM to a real child process in the middle of a change (issue 8, "Running in production"): it
// stops taking new work, lets the running chunk finish and journal, lets go of the lease and exits 0
// within the grace period; the next instance resumes what remains at once and finishes it exactly.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { bigTenant } from '../../bench/big-tenant';
import { importDataset } from '../../domain/dataset';
import { SHUTDOWN_GRACE_MS } from '../../bot/shutdown';
import { cosmosBackends } from '../../domain/store/backends';
import { ALEX, expectSeatInvariant } from '../support/demo';
import { closeStores, demoDataset, emptyStore, emulatorEndpoint, serviceOn } from '../support/store';

jest.setTimeout(180_000);
afterAll(closeStores);

const ROOT = path.resolve(__dirname, '../..');

/** Starts test/support/runner-process.ts; resolves its events line by line. */
function child(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/runner-process.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  const waiters: { test: (e: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const event = JSON.parse(line);
    events.push(event);
    for (const w of waiters.filter((x) => x.test(event))) w.resolve();
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const waitFor = (test: (e: Record<string, unknown>) => boolean) =>
    events.some(test) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve }));
  return { proc, events, exited, waitFor };
}

test('SIGTERM mid-change: the running chunk finishes and is journalled, the lease is let go, exit 0 in time; the next instance finishes', async () => {
  const data = bigTenant(await demoDataset(), 400);
  const store = await emptyStore();
  await importDataset(store, data);
  const pbi = data.customers[0].skus.find((s) => s.skuPartNumber === 'POWER_BI_PRO')!.skuId;
  const userIds = data.customers[0].users.slice(0, 300).map((u) => u.id);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'license-desk-stop-'));
  writeFileSync(path.join(dir, 'users.txt'), userIds.join('\n'));

  const running = child({
    MODE: 'apply', COSMOS_ENDPOINT: await emulatorEndpoint(), COSMOS_DATABASE: store.database.id, CUSTOMER: 'bigcorp', SKU: pbi,
    USER_IDS_FILE: path.join(dir, 'users.txt'), IDEMPOTENCY_KEY: 'sigterm-test', CHUNK_SIZE: '20', WRITE_DELAY_MS: '40',
  });
  await running.waitFor((e) => typeof e.progress === 'number'); // at least one chunk is journalled
  const signalled = Date.now();
  running.proc.kill('SIGTERM');
  const code = await running.exited;
  const took = Date.now() - signalled;
  expect(code).toBe(0);
  expect(took).toBeLessThan(SHUTDOWN_GRACE_MS);
  expect(running.events.find((e) => e.stopped)).toMatchObject({ stopped: 'clean' });

  // What the next instance finds: a running operation at a chunk boundary, no seat held, lease let go.
  const operations = cosmosBackends(store).operations;
  const service = serviceOn(store, { chunkSize: 20 });
  const [op] = await service.history(ALEX, 'bigcorp');
  const stored = (await operations.get('bigcorp', op.operationId))!;
  expect(stored.status).toBe('running');
  expect(stored.completedChunks).toBeGreaterThan(0);
  expect(stored.completedChunks).toBeLessThan(stored.chunkCount);
  expect(stored.heartbeatAt).toBe(new Date(0).toISOString());
  await expectSeatInvariant(store, 'bigcorp');

  // It resumes at once (no 60 s wait for the lease) and finishes exactly what the preview predicts.
  expect(await service.recoverInterrupted()).toBe(1);
  const result = (await service.operation(ALEX, 'bigcorp', op.operationId))!;
  expect(result.status).toBe('completed');
  expect(result.results).toHaveLength(300);
  const predicted = await service.preview({ customerKey: 'bigcorp', userIds, licensesToAssign: [{ skuId: pbi }], mode: 'add', requestedBy: ALEX, idempotencyKey: 'preview-only' });
  // Users changed by the run are now noChange in a fresh prediction; together they are the same users.
  expect(result.counts.succeeded + result.counts.noChange).toBe(predicted.counts.noChange);
  await expectSeatInvariant(store, 'bigcorp');
});
