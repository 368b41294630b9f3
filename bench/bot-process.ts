// The bot in a process of its own, as production runs it (compiled with tsc, run with node: see
// bench/compiled-bot.ts): the same settings, store, service and HTTP app, on the benchmark's emulator and
// database, JSON logs at the production level. The benchmark driver (bench/remote-bot.ts) sends it activities over HTTP, so what this
// process holds is the bot's own memory: not the generated dataset, not the driver's bookkeeping.
// Over IPC it answers: its port; its Cosmos requests so far (per kind); CPU time; memory at its peak
// sample; "idle" once its background work (a Save's apply) is done.
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { cosmosBackends } from '../domain/store/backends';
import { openCosmos, RequestMeter } from '../domain/store/cosmos';
import { setLogger } from '../domain/logging';
import { LicenseService } from '../domain/service';
import { createLogger } from '../bot/log';
import { loadSettings } from '../bot/config';
import { createApp } from '../bot/server';
import { serveParent } from './child';
import { ProcessMemoryWatch } from './memory-watch';

export type BotAsk = 'meter' | 'cpu' | 'memory' | 'idle' | 'gc' | 'heap';

async function main() {
  const settings = loadSettings({ ...process.env, PLAYGROUND: 'off', SEED_DIR: 'off' });
  // Local mode (no app id: no Bot Framework tokens on loopback), but JSON lines as in production.
  setLogger(createLogger({ level: settings.LOG_LEVEL, pretty: false }));
  const meter = new RequestMeter();
  const store = await openCosmos({ endpoint: process.env.BENCH_COSMOS_ENDPOINT!, key: 'bench', database: process.env.BENCH_DATABASE!, meter, createIfMissing: true });
  const backends = cosmosBackends(store);
  const service = new LicenseService(backends);
  const app = createApp(settings, backends.sessions, service);
  const port = await app.listen(0, '127.0.0.1');
  app.setReady(true);
  const watch = new ProcessMemoryWatch();
  const answers: Record<Exclude<BotAsk, 'cpu'>, () => unknown> = {
    meter: () => ({ ...meter.snapshot(), byKind: Object.fromEntries(meter.byKind) }),
    memory: () => watch.report(),
    idle: () => app.background.idle(),
    gc: () => (globalThis as { gc?: () => void }).gc?.(),
    // A heap snapshot (for a look at what the bot keeps; large: the heap, as JSON): its file.
    heap: () => v8.writeHeapSnapshot(path.join(os.tmpdir(), `license-desk-bot-${process.pid}-${Date.now()}.heapsnapshot`)),
  };
  serveParent({ port }, answers, () => app.close().then(() => store.close()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
