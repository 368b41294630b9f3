// `npm start`: settings → store (embedded emulator unless COSMOS_ENDPOINT) → seed → bot → playground.
import { DatasetError, seedIfEmpty } from '../domain/dataset';
import { LicenseService } from '../domain/service';
import { GraphClient } from '../domain/graph/graph-client';
import { cosmosBackends, graphBackends, GRAPH_RUNNER_OPTIONS } from '../domain/store/backends';
import { cosmosSettings, openCosmos } from '../domain/store/cosmos';
import { loadSettings, SettingsError, type Settings } from './config';
import { startPlayground, type Playground } from './playground';
import { createApp } from './server';

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const store = await openCosmos(cosmosSettings(settings));
  if (store.embedded) console.log('Data lives in memory (embedded Cosmos DB emulator) and is gone when the bot stops; set COSMOS_ENDPOINT to keep it.');
  // Graph mode: one client (one pacer, one credential per tenant) for every customer.
  const backends = settings.graph ? graphBackends(store, new GraphClient(settings.graph), settings.graph) : cosmosBackends(store);
  const service = new LicenseService(backends, settings.graph ? GRAPH_RUNNER_OPTIONS : {});
  if (settings.graph) console.log(`Graph mode: customers' licenses are read and changed in their tenants through ${settings.graph.graphEndpoint} (customers: ${settings.graph.customers}).`);
  const app = createApp(settings, backends.sessions, service);
  const port = await app.listen(settings.PORT);
  try {
    if (settings.seedDir && (await seedIfEmpty(store, settings.seedDir))) console.log(`Seeded the empty store from ${settings.seedDir}.`);
  } catch (err) {
    if (err instanceof DatasetError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const recovered = await service.recoverInterrupted();
  if (recovered) console.log(`Finished ${recovered} license change(s) interrupted by the last stop.`);
  // And keep looking: an operation whose process stopped beating (another instance, or a quick restart
  // within the heartbeat window) is finished by whoever sees it stale first.
  const sweep = setInterval(() => {
    service.recoverInterrupted().then(
      (n) => n && console.log(`Finished ${n} interrupted license change(s).`),
      (err) => console.error('Recovery sweep failed:', err instanceof Error ? err.message : err),
    );
  }, 30_000);
  sweep.unref();
  app.setReady(true);
  console.log(`License Desk is listening on http://127.0.0.1:${port}/api/messages`);

  let playground: Playground | undefined;
  if (settings.playground) {
    playground = await startPlayground(port, settings.PLAYGROUND_PORT, (line) => console.error(`[playground] ${line}`));
    console.log(`Open ${playground.url} in your browser to chat with License Desk as Alex Wilber (license admin).`);
  } else if (settings.localMode) {
    console.log('PLAYGROUND=off: the bot runs alone.');
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    await playground?.stop();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error('License Desk failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
