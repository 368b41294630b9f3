// The embedded Cosmos DB emulator in a process of its own, so the benchmark measures the bot's memory
// apart from the database's. Started by bench/emulator.ts; tells its endpoint and, when asked, its CPU
// time and memory.
import { startEmbeddedEmulator } from '../domain/store/cosmos';
import { ProcessMemoryWatch } from './memory-watch';

async function main() {
  const emulator = await startEmbeddedEmulator();
  const watch = new ProcessMemoryWatch();
  process.on('message', (m: { ask?: string; n?: number }) => {
    if (m?.ask === 'memory') process.send!({ n: m.n, value: watch.report() });
    if (m?.ask === 'cpu') process.send!({ n: m.n, value: process.cpuUsage() });
  });
  process.on('disconnect', () => void emulator.stop().then(() => process.exit(0)));
  process.send!({ endpoint: emulator.endpoint });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
