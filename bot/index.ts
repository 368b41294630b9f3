// `npm start`: settings → store (embedded emulator unless COSMOS_ENDPOINT) → seed → bot → playground.
import { DatasetError, seedIfEmpty } from '../domain/dataset';
import { LicenseService } from '../domain/service';
import { GraphClient } from '../domain/graph/graph-client';
import { cosmosBackends, graphBackends, GRAPH_RUNNER_OPTIONS } from '../domain/store/backends';
import { cosmosSettings, openCosmos } from '../domain/store/cosmos';
import { log, setLogger } from '../domain/logging';
import { loadSettings, SettingsError, type Settings } from './config';
import { createLogger, routeConsole, secretsIn } from './log';
import { startPlayground, type Playground } from './playground';
import { sharedResultLinkKey } from './result-links';
import { createApp } from './server';
import { shutDownGracefully } from './shutdown';

async function main(): Promise<void> {
  // Until the settings are read: info, readable in local mode (no app id), JSON otherwise.
  setLogger(createLogger({ level: 'info', pretty: !process.env.MicrosoftAppId?.trim(), secrets: secretsIn(process.env) }));
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof SettingsError) {
      log.error({ problems: err.problems }, 'License Desk cannot start; fix these settings');
      process.exit(2);
    }
    throw err;
  }
  setLogger(createLogger({ level: settings.LOG_LEVEL, pretty: settings.localMode, secrets: secretsIn(process.env) }));
  // Libraries' console output (botbuilder prints refused tokens and failed turns) goes through the log too.
  routeConsole(log);
  const store = await openCosmos(cosmosSettings(settings));
  if (store.embedded) log.info({}, 'Data lives in memory (embedded Cosmos DB emulator) and is gone when the bot stops; set COSMOS_ENDPOINT to keep it.');
  // Graph mode: one client (one pacer, one credential per tenant) for every customer.
  const backends = settings.graph ? graphBackends(store, new GraphClient(settings.graph), settings.graph) : cosmosBackends(store);
  const service = new LicenseService(backends, settings.graph ? GRAPH_RUNNER_OPTIONS : {});
  if (settings.graph) log.info({}, `Graph mode: customers' licenses are read and changed in their tenants through ${settings.graph.graphEndpoint} (customers: ${settings.graph.customers}).`);
  // Download CSV links: signed with RESULT_LINK_KEY, or else with the key every instance shares in the store.
  const linkKey = settings.RESULT_LINK_KEY ?? (await sharedResultLinkKey(backends.sessions));
  const app = createApp({ ...settings, RESULT_LINK_KEY: linkKey }, backends.sessions, service);
  const port = await app.listen(settings.PORT);
  try {
    if (settings.seedDir && (await seedIfEmpty(store, settings.seedDir))) log.info({ seedDir: settings.seedDir }, 'Seeded the empty store.');
  } catch (err) {
    if (err instanceof DatasetError) {
      log.error({ err }, 'The seed data set was refused.');
      process.exit(1);
    }
    throw err;
  }
  const recovered = await service.recoverInterrupted();
  if (recovered) log.info({ recovered }, 'Finished license changes interrupted by the last stop.');
  // And keep looking: an operation whose process stopped beating (another instance, or a quick restart
  // within the heartbeat window) is finished by whoever sees it stale first.
  const sweep = setInterval(() => {
    service.recoverInterrupted().then(
      (n) => n && log.info({ recovered: n }, 'Finished interrupted license changes.'),
      (err) => log.error({ err }, 'Recovery sweep failed.'),
    );
  }, 30_000);
  sweep.unref();
  app.setReady(true);
  log.info({ port }, settings.localMode ? `License Desk is listening on http://127.0.0.1:${port}/api/messages` : `License Desk is listening on port ${port} (all interfaces) for /api/messages`);

  let playground: Playground | undefined;
  if (settings.playground) {
    playground = await startPlayground(port, settings.PLAYGROUND_PORT, (line) => log.info({ source: 'playground' }, line));
    log.info({ url: playground.url }, `Open ${playground.url} in your browser to chat with License Desk as Alex Wilber (license admin).`);
  } else if (settings.localMode) {
    log.info({}, 'PLAYGROUND=off: the bot runs alone.');
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info({}, 'Stopping: no new changes; running ones finish their chunk and are left to the next start…');
    clearInterval(sweep);
    const how = await shutDownGracefully({
      service,
      background: app.background,
      setReady: app.setReady,
      close: async () => {
        await playground?.stop();
        await app.close();
        await store.close();
      },
    });
    if (how === 'timedOut') log.warn({}, 'Stopped before everything finished; the next start resumes it.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  log.error({ err }, 'License Desk failed to start.');
  process.exit(1);
});
