// The embedded Cosmos DB emulator in a process of its own, so the benchmark measures the bot's memory
// apart from the database's. Started by bench/emulator.ts; tells its endpoint and, when asked, its CPU
// time and memory.
import { startEmbeddedEmulator } from '../domain/store/cosmos';
import { serveParent } from './child';
import { ProcessMemoryWatch } from './memory-watch';

async function main() {
  const emulator = await startEmbeddedEmulator();
  const watch = new ProcessMemoryWatch();
  serveParent({ endpoint: emulator.endpoint }, { memory: () => watch.report() }, () => emulator.stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
