// The embedded Cosmos DB emulator in a process of its own, so the benchmark measures the bot's memory
// apart from the database's. Started by bench/emulator.ts; tells its endpoint and, when asked, its memory.
import { startEmbeddedEmulator } from '../domain/store/cosmos';

async function main() {
  const emulator = await startEmbeddedEmulator();
  process.on('message', (m: { ask?: string }) => {
    if (m?.ask === 'memory') process.send!({ memory: { rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 } });
  });
  process.on('disconnect', () => void emulator.stop().then(() => process.exit(0)));
  process.send!({ endpoint: emulator.endpoint });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
