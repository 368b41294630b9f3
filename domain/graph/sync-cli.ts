// `npm run sync -- <customer>`: reads a customer's users and products from Microsoft Graph into the
// Cosmos mirror now (a full fill the first time, then a delta round), as the Refresh action does.
import { GraphConnectionError } from './token-errors';
import { GraphClient, type GraphClientOptions } from './graph-client';
import { CustomerConnectionError } from './graph-directory';
import { readGraphSettings } from './settings';
import { graphBackends } from '../store/backends';
import { cosmosEnvSchema, cosmosSettings, envWithoutBlanks, openCosmos } from '../store/cosmos';

export interface SyncIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** For tests: an https.Agent trusting a test CA. */
  client?: GraphClientOptions;
}

export async function runSync(argv: string[], env: NodeJS.ProcessEnv, io: SyncIo = {}): Promise<number> {
  const { out = console.log, err = console.error } = io;
  const wanted = argv.filter((a) => !a.startsWith('--'));
  if (wanted.length !== 1) {
    err('Usage: npm run sync -- CUSTOMER   (the customer\'s key or name in partner.json; needs GRAPH_CLIENT_ID, a credential and COSMOS_ENDPOINT)');
    return 2;
  }
  const raw = envWithoutBlanks(env);
  const cosmos = cosmosEnvSchema.safeParse(raw);
  const graph = readGraphSettings(raw);
  const problems = [...(cosmos.success ? [] : cosmos.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)), ...(graph.ok ? [] : graph.problems)];
  if (cosmos.success && !cosmos.data.COSMOS_ENDPOINT) problems.push('COSMOS_ENDPOINT: is required (the embedded database lives inside the running bot; there use the Refresh action)');
  if (problems.length || !cosmos.success || !graph.ok) {
    problems.forEach((p) => err(p));
    return 2;
  }
  const store = await openCosmos(cosmosSettings(cosmos.data));
  try {
    const backends = graphBackends(store, new GraphClient(graph.settings, io.client), graph.settings);
    const q = wanted[0].toLowerCase();
    const customer = (await backends.partner.customers()).find((c) => c.key === q || c.displayName.toLowerCase() === q || c.tenantId.toLowerCase() === q);
    if (!customer) {
      err(`No customer "${wanted[0]}" in partner.json${graph.settings.customers === 'gdap' ? ' with a GDAP relationship' : ''}.`);
      return 1;
    }
    const started = Date.now();
    const state = await backends.directory.refresh(customer.key);
    const page = await backends.directory.pageUsers(customer.key, {}, 'first');
    const products = await backends.directory.products(customer.key);
    out(`${customer.displayName}: ${page.total} users and ${products.length} products read from Microsoft Graph in ${((Date.now() - started) / 1000).toFixed(1)} s (users as of ${state.usersReadAt}).`);
    return 0;
  } catch (e) {
    if (e instanceof CustomerConnectionError || e instanceof GraphConnectionError) {
      // Codes and ids only: never a secret or a token.
      err(`Cannot reach the tenant ${e.params.tenantId}: ${e.code}${e.params.aadsts ? ` (AADSTS${e.params.aadsts})` : ''}. See the README, "Connecting real tenants".`);
      return 1;
    }
    throw e;
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  runSync(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e) => {
      console.error('Sync failed:', e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
