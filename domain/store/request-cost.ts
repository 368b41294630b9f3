// What Cosmos DB charged: a meter for the benchmark (requests, writes, RU, by kind) and a scope that
// counts the requests of one piece of work (a turn, a license change) for its log line.
import type { PluginConfig } from '@azure/cosmos';
import { AsyncLocalStorage } from 'node:async_hooks';

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
        // A transactional batch: one request, a document written per operation that is not a read.
        else if (context.operationType === 'batch') this.writes += batchWrites(context.body);
        return sendCharged(context, next, (charge) => (this.requestCharge += charge));
      },
    };
  }
}

const WRITES = new Set(['create', 'upsert', 'replace', 'patch', 'delete']);

/** The writing operations of a batch's body (by now its JSON text: counted, not parsed again). */
function batchWrites(body: unknown): number {
  if (Array.isArray(body)) return body.filter((o: { operationType?: string }) => o?.operationType !== 'Read').length;
  return typeof body === 'string' ? (body.match(/"operationType":"(Create|Upsert|Replace|Patch|Delete)"/g)?.length ?? 0) : 0;
}

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
export const costPlugin: PluginConfig = {
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
