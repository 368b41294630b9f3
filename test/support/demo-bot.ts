// The bot over HTTP as Teams sends it, on a fresh database holding the demo tenants (or a dataset a test
// generates), with a fake connector receiving its replies: the set-up most bot tests share.
import type { Dataset } from '../../domain/dataset';
import type { CosmosStore } from '../../domain/store/cosmos';
import { closeStores, demoService } from './store';
import { FakeConnector, TeamsHarness } from './teams';

type AppSettings = ConstructorParameters<typeof TeamsHarness>[3];

export interface DemoBot {
  readonly teams: TeamsHarness;
  readonly store: CosmosStore;
  readonly connector: FakeConnector;
}

/** One bot on a new database; `stop` ends it, its connector and the file's stores (in a `finally`). */
export async function startDemoBot(data?: Dataset, settings: AppSettings = {}): Promise<DemoBot & { stop(): Promise<void> }> {
  const { store } = await demoService({}, data);
  const connector = await new FakeConnector().start();
  const teams = await new TeamsHarness(store, connector, () => {}, settings).start();
  const stop = async () => {
    await teams.stop();
    await connector.stop();
    await closeStores();
  };
  return { teams, store, connector, stop };
}

/**
 * For a test file: one connector for the file and a new database with a bot on it for each test (or, with
 * `once`, one for the whole file). Read the fields inside tests: the hooks fill them.
 */
export function demoBotPerTest(options: { once?: boolean; settings?: AppSettings } = {}): DemoBot & { restart(): Promise<void> } {
  let connector: FakeConnector;
  let teams: TeamsHarness | undefined;
  let store: CosmosStore;
  const startBot = async () => {
    ({ store } = await demoService());
    teams = await new TeamsHarness(store, connector, () => {}, options.settings ?? {}).start();
  };
  const stopBot = async () => {
    await teams?.stop();
    teams = undefined;
  };
  beforeAll(async () => {
    connector = await new FakeConnector().start();
    if (options.once) await startBot();
  });
  if (!options.once) {
    beforeEach(startBot);
    afterEach(stopBot);
  }
  afterAll(async () => {
    await stopBot();
    await connector.stop();
    await closeStores();
  });
  return {
    /** A new bot process, as after a restart, on the same database. */
    async restart() {
      await teams?.stop();
      teams = await new TeamsHarness(store, connector, () => {}, options.settings ?? {}).start();
    },
    get teams() {
      if (!teams) throw new Error('the bot runs inside tests only');
      return teams;
    },
    get store() {
      return store;
    },
    get connector() {
      return connector;
    },
  };
}
