// One code path for Azure Cosmos DB and the embedded emulator (@vercel/cosmosdb-server): only what both
// guarantee is used — point reads/writes, ETag IfMatch (412), queries filtered on the partition key in
// WHERE, continuation tokens. No transactional batch, stored procedures, OFFSET/LIMIT or GROUP BY.
import { CosmosClient, type PluginConfig, type Container, type Database, type ItemDefinition, type SqlParameter } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { z } from 'zod';
import { AsyncLocalStorage } from 'node:async_hooks';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { log } from '../logging';
export { mapLimit } from '../map-limit';

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

/** What the store asked of the server: requests, document writes, and their request charge in RU. */
export class RequestMeter {
  requests = 0;
  writes = 0;
  requestCharge = 0;
  /** Requests per "operation container" (e.g. "read sessions"), to see what a click costs. */
  readonly byKind = new Map<string, number>();

  snapshot() {
    return { requests: this.requests, writes: this.writes, requestCharge: this.requestCharge };
  }

  /** An @azure/cosmos request plugin: runs around each network request. */
  plugin(): PluginConfig {
    return {
      on: 'request',
      plugin: async (context, _diagnostics, next) => {
        this.requests++;
        // The SDK's query plan (sent beside each query): a request on the wire, but no query run or charged.
        const plan = String((context.headers as Record<string, unknown> | undefined)?.['x-ms-cosmos-is-query-plan-request']).toLowerCase() === 'true';
        const kind = `${plan ? 'plan' : context.operationType} ${String(context.path ?? '').split('/')[4] ?? ''}`;
        this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
        if (WRITES.has(String(context.operationType))) this.writes++;
        return sendCharged(context, next, (charge) => (this.requestCharge += charge));
      },
    };
  }
}

const WRITES = new Set(['create', 'upsert', 'replace', 'patch', 'delete']);

/** The Cosmos requests of one piece of work (a turn, a license change) and the request units (RU) charged. */
export interface RequestCost {
  requests: number;
  requestCharge: number;
}

const costScope = new AsyncLocalStorage<RequestCost>();

/**
 * Runs `work` counting into `cost` every Cosmos request it makes, directly or through what it awaits or
 * starts (a nested scope counts its own): so the log says what a turn or a change cost on Cosmos DB.
 */
export function countingRequests<T>(cost: RequestCost, work: () => Promise<T>): Promise<T> {
  return costScope.run(cost, work);
}

/** The charge as a log shows it: requests and RU, rounded to a hundredth. */
export const costFields = (cost: RequestCost) => ({ cosmosRequests: cost.requests, requestUnits: Math.round(cost.requestCharge * 100) / 100 });

/** The plugin behind countingRequests (installed on every client). */
const costPlugin: PluginConfig = {
  on: 'request',
  plugin: async (context, _diagnostics, next) => {
    const cost = costScope.getStore();
    if (!cost) return next(context);
    cost.requests++;
    return sendCharged(context, next, (charge) => (cost.requestCharge += charge));
  },
};

type PluginArgs = Parameters<PluginConfig['plugin']>;

/** Sends a request and reports the RU the server charged for it; a refused one (412, 429) is charged too. */
async function sendCharged(context: PluginArgs[0], next: PluginArgs[2], charged: (requestUnits: number) => void) {
  let headers: Record<string, unknown> | undefined;
  try {
    const response = await next(context);
    headers = response.headers;
    return response;
  } catch (err) {
    headers = (err as { headers?: Record<string, unknown> }).headers;
    throw err;
  } finally {
    const charge = Number(headers?.['x-ms-request-charge']);
    if (Number.isFinite(charge)) charged(charge);
  }
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

export async function startEmbeddedEmulator(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  // Loaded lazily: production with a real COSMOS_ENDPOINT never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHttpsServer } = require('@vercel/cosmosdb-server') as typeof import('@vercel/cosmosdb-server');
  // keepAlive: the emulator otherwise answers every request "connection: close", so each one paid a TLS
  // handshake on both sides (most of a click's CPU), whatever agent the client keeps.
  const server = createHttpsServer({ keepAlive: true } as import('node:https').ServerOptions);
  answerQueryPlansCheaply(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * @azure/cosmos asks for a query plan beside every query (`x-ms-cosmos-is-query-plan-request`, sent in
 * parallel and only consulted when the server refuses the query as cross-partition). Cosmos DB's
 * gateway answers it without running the query; the emulator takes it for a query and runs it in full,
 * so every query cost it twice (a 10,000-user scan, twice per click). Here it gets a plan of the query
 * as it is — what the SDK would do with it on a single partition — at once.
 */
function answerQueryPlansCheaply(server: import('node:https').Server) {
  const emulator = server.listeners('request') as ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (String(req.headers['x-ms-cosmos-is-query-plan-request']).toLowerCase() !== 'true') return emulator.forEach((listener) => listener.call(server, req, res));
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-ms-request-charge': '0' });
      res.end(JSON.stringify(SINGLE_PARTITION_PLAN));
    });
  });
}

const SINGLE_PARTITION_PLAN = {
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: { distinctType: 'None', orderBy: [], orderByExpressions: [], aggregates: [], groupByExpressions: [], groupByAliasToAggregateType: {}, hasSelectValue: false, hasNonStreamingOrderBy: false },
  queryRanges: [{ min: '', max: 'FF', isMinInclusive: true, isMaxInclusive: false }],
};

/** Drops the system properties (_etag, _ts…) before a write. */
export function stripDoc<T extends object>(doc: T): T {
  const out = { ...doc } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (k.startsWith('_')) delete out[k];
  return out as T;
}

export interface CosmosErrorLike {
  code?: number | string;
  statusCode?: number;
  retryAfterInMs?: number;
  retryAfterInMilliseconds?: number;
  headers?: Record<string, string | undefined>;
}

export function statusOf(err: unknown): number | undefined {
  const e = err as CosmosErrorLike;
  const code = e?.statusCode ?? e?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isPreconditionFailed = (err: unknown) => statusOf(err) === 412;
export const isConflict = (err: unknown) => statusOf(err) === 409;
export const isNotFound = (err: unknown) => statusOf(err) === 404;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connection-level failures: no status code, and the request may or may not have reached the server. */
const CONNECTION_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND', 'TimeoutError', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET']);

/** A reset, a hang-up or a client-side timeout: the request's fate is unknown, and there is no status to say. */
export function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && CONNECTION_ERRORS.has(e.code)) return true;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  if (typeof e.message === 'string' && /socket hang up|ECONNRESET|EPIPE|network socket disconnected/i.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isConnectionFailure(e.cause);
}

/** 408, 503 or a connection failure: the write may have been applied even though no reply came. */
export const isUnknownOutcome = (err: unknown) => statusOf(err) === 408 || statusOf(err) === 503 || isConnectionFailure(err);

/** Attempts per request: at a 25% fault rate ten in a row fail about once in a million requests. */
export const DEFAULT_ATTEMPTS = 10;

/**
 * One request, retried with backoff where that is safe. 429 (the request was not run) always, after
 * the server's retry-after. 408, 503, resets and timeouts (the outcome is unknown) only for `repeatable`
 * calls: reads, upserts, and conditional writes whose repeat meets 412/409 and is decided again by the
 * caller; a non-repeatable caller gets the error and reads back. Bounded: about 15 s of waiting at most.
 */
export async function withRetry<T>(fn: () => Promise<T>, attempts = DEFAULT_ATTEMPTS, repeatable = true): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const status = statusOf(err);
      const retry = status === 429 || (repeatable && isUnknownOutcome(err));
      if (retry && attempt >= attempts) log.warn({ status, attempts }, 'Cosmos DB request failed after retries');
      if (attempt >= attempts || !retry) throw err;
      const wait = retryDelay(err, attempt);
      log.debug({ status, attempt, waitMs: wait }, 'Cosmos DB request retried');
      await sleep(wait);
    }
  }
}

/** The server's retry-after when it gave one (capped), else exponential backoff with full jitter. */
export function retryDelay(err: unknown, attempt: number): number {
  const e = err as CosmosErrorLike;
  const header = Number(e?.headers?.['x-ms-retry-after-ms']);
  const asked = e?.retryAfterInMs ?? e?.retryAfterInMilliseconds ?? (Number.isFinite(header) ? header : undefined);
  if (asked !== undefined) return Math.min(asked, 5_000);
  const ceiling = Math.min(2_000, 50 * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Reads a document, or undefined when it does not exist. */
export async function readItem<T extends ItemDefinition>(container: Container, id: string, partitionKey: string): Promise<(T & { _etag: string }) | undefined> {
  try {
    const { resource } = await withRetry(() => container.item(id, partitionKey).read<T>());
    return resource as (T & { _etag: string }) | undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Too many lost races on one document in a row: the caller may try again later. */
export class ContentionError extends Error {
  readonly code = 'contention';
  constructor(readonly documentId: string) {
    super(`Too much contention on ${documentId}; try again.`);
  }
}

/**
 * The one optimistic read-modify-write loop: read the document with its ETag, let `change` decide, write
 * only if nobody wrote in between (IfMatch → 412; a create that loses to another create → 409), and on a
 * lost race read again after a short jittered wait. `change` gets undefined for a missing document and
 * returns the next document, or undefined to leave it as it is (then the stored one is returned).
 * A write repeated after a lost reply meets 412/409 and is decided again on what is stored, so `change`
 * must recognise its own earlier write (the seat ledger's reservation keys, a session's whole-state write).
 */
export async function readModifyWrite<T extends ItemDefinition & { id: string }>(
  container: Container,
  id: string,
  partitionKey: string,
  change: (current: (T & { _etag: string }) | undefined) => T | undefined,
  attempts = 200,
  /** Called before each write attempt; throwing stops the loop (the operation lease's fence). */
  beforeWrite?: () => void,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await readItem<T>(container, id, partitionKey);
    const next = change(current);
    if (!next) return current;
    try {
      const { resource } = current
        ? await withRetry(() => (beforeWrite?.(), container.item(id, partitionKey).replace<T>(stripDoc(next), { accessCondition: { type: 'IfMatch', condition: current._etag } })))
        : await withRetry(() => (beforeWrite?.(), container.items.create<T>(stripDoc(next))));
      return resource;
    } catch (err) {
      if (!isPreconditionFailed(err) && !isConflict(err)) throw err;
      await sleep(Math.random() * Math.min(50, 2 + attempt * 2));
    }
  }
  throw new ContentionError(id);
}

/** Runs a query to the end, following continuation tokens. */
/**
 * Every result of a query. Pages as large as the service gives (-1: Cosmos DB's dynamic size, up to
 * 4 MB a page): the emulator runs the whole query again for every continuation, so pages of 1,000
 * made a 30,000-user scan take 316 s instead of 23 s (and 100,000 users hours).
 */
export async function queryAll<T>(container: Container, query: string, parameters: SqlParameter[], pageSize = -1): Promise<T[]> {
  const iterator = container.items.query<T>({ query, parameters }, { maxItemCount: pageSize });
  const out: T[] = [];
  while (iterator.hasMoreResults()) {
    const { resources } = await withRetry(() => iterator.fetchNext());
    out.push(...resources);
  }
  return out;
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
