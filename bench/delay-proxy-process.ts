// The delay proxy (delay-proxy.ts) in a process of its own, started by the benchmark: BENCH_UPSTREAM
// is the emulator's endpoint, BENCH_ONE_WAY_MS the delay each way. Tells its endpoint, then its CPU time when asked.
import { startDelayProxy } from './delay-proxy';

async function main() {
  const proxy = await startDelayProxy(process.env.BENCH_UPSTREAM!, Number(process.env.BENCH_ONE_WAY_MS));
  process.on('message', (m: { ask?: string; n?: number }) => {
    if (m?.ask === 'cpu') process.send!({ n: m.n, value: process.cpuUsage() });
  });
  process.on('disconnect', () => void proxy.stop().then(() => process.exit(0)));
  process.send!({ endpoint: proxy.endpoint });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
