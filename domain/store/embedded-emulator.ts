// The embedded Cosmos DB emulator (@vercel/cosmosdb-server) that `npm start` and the tests run on, made
// to behave like the service where it matters for speed: connections kept alive, query plans answered
// without running the query.
import type { AddressInfo } from 'node:net';

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
