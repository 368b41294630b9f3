// One code path for Azure Cosmos DB and the embedded emulator (@vercel/cosmosdb-server): only what both
// guarantee is used — point reads/writes, ETag IfMatch (412), queries filtered on the partition key in
// WHERE, continuation tokens, batches whose parts stand alone (the emulator does not roll a batch back).
// No stored procedures, OFFSET/LIMIT or GROUP BY. Opening the store is here; requests, their cost and
// the embedded emulator have files of their own.
import { CosmosClient, type Container, type Database } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { z } from 'zod';
import https from 'node:https';
import { startEmbeddedEmulator } from './embedded-emulator';
import { costPlugin, type RequestMeter } from './request-cost';
import { isNotFound, statusOf, withRetry } from './cosmos-requests';
// What every store imports from here: the requests, what they cost, the emulator.
export { mapLimit } from '../map-limit';
export * from './cosmos-requests';
export * from './request-cost';
export { startEmbeddedEmulator } from './embedded-emulator';

export interface CosmosSettings {
  /** Unset: start the embedded emulator in this process (data lives in memory). */
  endpoint?: string;
  /** Unset with an endpoint: sign in with Microsoft Entra ID (managed identity, or your `az login`). */
  key?: string;
  database: string;
  /** The user-assigned managed identity's client id, for Entra sign-in (AZURE_CLIENT_ID). */
  managedIdentityClientId?: string;
  /**
   * Create the database and containers when missing. Default: with a key (or the emulator) yes; with
   * Entra ID no — data-plane roles cannot create them, so the deployment template does and we only check.
   */
  createIfMissing?: boolean;
  /** Counts requests, writes and request units (RU) as the server reports them (the benchmark reads it). */
  meter?: RequestMeter;
  /** Per request, before it counts as timed out (the SDK's default is 60 s). */
  requestTimeoutMs?: number;
}

/** The database or a container is not there (or not as expected) and may not be created from here. */
export class CosmosSetupError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cosmos DB is not set up for License Desk:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** The containers and why each is partitioned as it is (see README "Data model"). */
export const containerSpecs = {
  /** Per customer: its users, its products (seat counters). A customer is a natural unit of work. */
  directory: '/customerId',
  /** Per customer: license change operations, their per-user results and idempotency. */
  operations: '/customerId',
  /** The partner: admins and roles, customers, product rules. Small, read often. */
  partner: '/pk',
  /** Per admin and conversation: chosen customer and selected users, to survive restarts. */
  sessions: '/id',
} as const;
export type ContainerName = keyof typeof containerSpecs;

export interface CosmosStore {
  database: Database;
  containers: Record<ContainerName, Container>;
  embedded: boolean;
  endpoint: string;
  close(): Promise<void>;
}

export async function openCosmos(settings: CosmosSettings): Promise<CosmosStore> {
  let endpoint = settings.endpoint;
  let key = settings.key;
  let stopEmulator = async () => {};
  const embedded = !endpoint;
  if (!endpoint) {
    const emulator = await startEmbeddedEmulator();
    endpoint = emulator.endpoint;
    key = 'embedded-emulator-key';
    stopEmulator = emulator.stop;
  }
  // Keep-alive matters: a TLS handshake per request makes the emulator 3–5× slower.
  // Plain HTTP only on loopback (a local proxy, e.g. the fault proxy of the tests): the SDK's own agent.
  if (new URL(endpoint).protocol === 'http:' && !isLocalhost(endpoint)) throw new CosmosSetupError([`COSMOS_ENDPOINT ${endpoint} must be https:// (plain http only on loopback)`]);
  const plainHttp = new URL(endpoint).protocol === 'http:';
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: !embedded && !isLocalhost(endpoint) });
  // No key: Microsoft Entra ID. DefaultAzureCredential takes the managed identity on App Service (the
  // user-assigned one by its client id) and `az login` on a developer's machine.
  // https://learn.microsoft.com/azure/cosmos-db/nosql/security/how-to-grant-data-plane-role-based-access
  const aadCredentials = key ? undefined : new DefaultAzureCredential(settings.managedIdentityClientId ? { managedIdentityClientId: settings.managedIdentityClientId } : {});
  const client = new CosmosClient({
    endpoint,
    ...(aadCredentials ? { aadCredentials } : { key: key ?? '' }),
    ...(plainHttp ? {} : { agent }),
    // Plugins are a documented option the SDK's public type leaves out.
    ...({ plugins: [costPlugin, ...(settings.meter ? [settings.meter.plugin()] : [])] } as object),
    connectionPolicy: {
      enableEndpointDiscovery: !embedded && !isLocalhost(endpoint),
      // A stalled request is given up after this and retried by withRetry (its outcome is then unknown).
      ...(settings.requestTimeoutMs ? { requestTimeout: settings.requestTimeoutMs } : {}),
      retryOptions: { maxRetryAttemptCount: 9, maxWaitTimeInSeconds: 30, fixedRetryIntervalInMilliseconds: 0 },
    },
  });
  const create = settings.createIfMissing ?? !aadCredentials;
  let opened: { database: Database; containers: Record<ContainerName, Container> };
  try {
    opened = create ? await createAll(client, settings.database) : await checkAll(client, settings.database);
  } catch (err) {
    client.dispose();
    agent.destroy();
    await stopEmulator();
    throw aadCredentials ? (signInProblem(err) ?? err) : err;
  }
  const { database, containers } = opened;
  return {
    database,
    containers,
    embedded,
    endpoint,
    async close() {
      client.dispose();
      agent.destroy();
      await stopEmulator();
    },
  };
}

async function createAll(client: CosmosClient, id: string) {
  const { database } = await withRetry(() => client.databases.createIfNotExists({ id }));
  const containers = {} as Record<ContainerName, Container>;
  for (const [name, path] of Object.entries(containerSpecs) as [ContainerName, string][]) {
    const { container } = await withRetry(() => database.containers.createIfNotExists({ id: name, partitionKey: { paths: [path] } }));
    containers[name] = container;
  }
  return { database, containers };
}

/** Checks the database and every container exist with the right partition key; names each one that does not. */
async function checkAll(client: CosmosClient, id: string) {
  const database = client.database(id);
  const notFound = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withRetry(read);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  if (!(await notFound(() => database.read()))?.resource) {
    throw new CosmosSetupError([`database "${id}" is missing (with containers ${describeSpecs()}); deploy deploy/azure/azuredeploy.json, which creates them`]);
  }
  const problems: string[] = [];
  const containers = {} as Record<ContainerName, Container>;
  for (const [name, path] of Object.entries(containerSpecs) as [ContainerName, string][]) {
    containers[name] = database.container(name);
    const found = (await notFound(() => containers[name].read()))?.resource;
    const paths = found?.partitionKey?.paths;
    if (!found) problems.push(`container "${name}" (partition key ${path}) is missing in database "${id}"`);
    else if (paths && (paths.length !== 1 || paths[0] !== path)) problems.push(`container "${name}" has partition key ${paths.join(', ')}; License Desk needs ${path}`);
  }
  if (problems.length) throw new CosmosSetupError([...problems, 'create them with deploy/azure/azuredeploy.json (data-plane roles cannot create containers)']);
  return { database, containers };
}

/** Entra sign-in failures, said plainly: no identity to sign in with, or no data-plane role. */
function signInProblem(err: unknown): CosmosSetupError | undefined {
  const status = statusOf(err);
  if (status === 401 || status === 403) {
    return new CosmosSetupError([
      `the account refused the Microsoft Entra sign-in (${status}): give the identity the Cosmos DB Built-in Data Contributor role (deploy/azure/azuredeploy.json does; a new assignment can take a few minutes)`,
    ]);
  }
  const name = (err as Error)?.name ?? '';
  if (/Credential|Authentication/.test(name)) {
    return new CosmosSetupError([`could not sign in to Microsoft Entra ID (${name}: ${(err as Error).message.split('\n')[0]}); set COSMOS_KEY, or run with a managed identity (AZURE_CLIENT_ID) or after az login`]);
  }
  return undefined;
}

const describeSpecs = () => Object.entries(containerSpecs).map(([name, path]) => `${name} ${path}`).join(', ');

function isLocalhost(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/** COSMOS_ENDPOINT, COSMOS_KEY, COSMOS_DATABASE, AZURE_CLIENT_ID, checked; the bot's own settings build on it. */
export const cosmosEnvSchema = z.object({
  COSMOS_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an https:// URL of a Cosmos DB account, or unset for the embedded emulator' }).optional(),
  /** Unset with COSMOS_ENDPOINT: Microsoft Entra ID (the account may have local auth disabled). */
  COSMOS_KEY: z.string().min(1).optional(),
  COSMOS_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'letters, digits, - and _ only').default('license-desk'),
  /** The user-assigned managed identity's client id, as @azure/identity's DefaultAzureCredential reads it. */
  AZURE_CLIENT_ID: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be the managed identity's client id (a GUID)").optional(),
});

export function cosmosSettings(env: z.infer<typeof cosmosEnvSchema>): CosmosSettings {
  return { endpoint: env.COSMOS_ENDPOINT, key: env.COSMOS_KEY, database: env.COSMOS_DATABASE, managedIdentityClientId: env.AZURE_CLIENT_ID };
}

/** Empty strings in .env files mean "unset". */
export function envWithoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== '')) as Record<string, string>;
}
