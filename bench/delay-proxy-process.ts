// The delay proxy (delay-proxy.ts) in a process of its own, started by the benchmark: BENCH_UPSTREAM
// is the emulator's endpoint, BENCH_ONE_WAY_MS the delay each way. Tells its endpoint, then its CPU time when asked.
import { serveParent } from './child';
import { startDelayProxy } from './delay-proxy';

async function main() {
  const proxy = await startDelayProxy(process.env.BENCH_UPSTREAM!, Number(process.env.BENCH_ONE_WAY_MS));
  serveParent({ endpoint: proxy.endpoint }, {}, () => proxy.stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
