// License Desk in Graph mode for tests: the demo partner in Cosmos (the emulator), the customers'
// tenants in the Graph fake, reached through @azure/identity and the real client over HTTPS.
import type { Agent } from 'node:https';
import { GraphClient, type GraphClientOptions } from '../../domain/graph';
import { LicenseService, type ServiceBackends, type ServiceOptions } from '../../domain/service';
import { graphBackends, GRAPH_RUNNER_OPTIONS, type GraphBackends } from '../../domain/store/backends';
import type { CosmosStore } from '../../domain/store/cosmos';
import type { WriteBudgetConfig } from './graph-fake/throttle';
import { fakeSettings, trustingAgent } from './graph-fake/client-setup';
import { GraphFake, IDS } from './graph-fake/server';
import { closeStores, demoService } from './store';
import { TeamsHarness, type FakeConnector } from './teams';

export const NORTHWIND = { key: 'northwind', displayName: 'Northwind Traders', tenantId: IDS.noConsent, defaultDomain: 'northwind.onmicrosoft.com' };

export interface GraphModeOptions {
  /** The client's own write budget (GRAPH_WRITES_PER_APP_TENANT / _WINDOW_S). */
  budget?: { limit: number; windowS: number };
  /** The fake's budgets per tenant (what Graph enforces with 429 + Retry-After). */
  fakeBudgets?: Record<string, WriteBudgetConfig>;
  extraUsers?: Record<string, number>;
  client?: GraphClientOptions;
  /** Northwind, a tenant that never consented to the app, added to partner.json's customers. */
  withNorthwind?: boolean;
}

export function graphBackendsOn(store: Pick<CosmosStore, 'containers'>, fake: GraphFake, agent: Agent, options: GraphModeOptions = {}): GraphBackends {
  const extra: Record<string, string> = options.budget ? { GRAPH_WRITES_PER_APP_TENANT: String(options.budget.limit), GRAPH_WRITES_PER_APP_TENANT_WINDOW_S: String(options.budget.windowS) } : {};
  const settings = fakeSettings(fake, 'secret', extra);
  return graphBackends(store, new GraphClient(settings, { agent, ...options.client }), settings);
}

/** A fresh fake and a fresh store with the demo partner; `service(…)` builds a service on them. */
export async function graphMode(agent: Agent, options: GraphModeOptions = {}) {
  const fake = await new GraphFake({ extraUsers: options.extraUsers, budgets: options.fakeBudgets }).start();
  const { store } = await demoService();
  if (options.withNorthwind) await store.containers.partner.items.upsert({ ...NORTHWIND, id: NORTHWIND.key, pk: 'customer' });
  const backends = () => graphBackendsOn(store, fake, agent, options);
  const service = (wrap: (b: GraphBackends) => ServiceBackends = (b) => b, serviceOptions: ServiceOptions = GRAPH_RUNNER_OPTIONS) => new LicenseService(wrap(backends()), serviceOptions);
  return { fake, store, backends, service };
}

/** For one test file: a trusting agent and the fakes the file starts, all stopped (and the stores closed) after it. */
export function graphSuite(): { agent: Agent; fakes: GraphFake[] } {
  const agent = trustingAgent();
  const fakes: GraphFake[] = [];
  afterAll(async () => {
    agent.destroy();
    await Promise.all(fakes.map((f) => f.stop()));
    await closeStores();
  });
  return { agent, fakes };
}

/** For a file (or a describe): one Graph fake, started before its tests and stopped with the suite. */
export function graphFakeSuite(): { agent: Agent; readonly fake: GraphFake } {
  const suite = graphSuite();
  beforeAll(async () => {
    suite.fakes.push(await new GraphFake().start());
  });
  return {
    agent: suite.agent,
    get fake() {
      return suite.fakes[0];
    },
  };
}

/** License Desk over HTTP in Graph mode on `store`, its customers' tenants in a new fake (stopped with the suite's). */
export async function graphTeams(store: CosmosStore, connector: FakeConnector, suite: { agent: Agent; fakes: GraphFake[] }): Promise<{ teams: TeamsHarness; fake: GraphFake }> {
  const fake = await new GraphFake().start();
  suite.fakes.push(fake);
  const teams = await new TeamsHarness(store, connector, () => {}, {}, { backends: (s) => graphBackendsOn(s, fake, suite.agent), options: GRAPH_RUNNER_OPTIONS }).start();
  return { teams, fake };
}
