// A real HTTP proxy on loopback between the Cosmos DB client and the emulator, injecting the faults a
// network and a busy account produce: throttling (429 with x-ms-retry-after-ms), 503, connection resets,
// stalls, and lost replies (the request reaches the emulator and runs, but the reply is a 503 or a
// reset). Which request gets which fault comes from a seeded generator: the same seed gives the same
// sequence of decisions (which request meets it depends on the order requests arrive in).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';

export type FaultKind = 'throttle' | 'unavailable' | 'reset' | 'stall' | 'lostReply503' | 'lostReplyReset';

export interface FaultPlan {
  /** Probability per request of each fault (the rest pass untouched). */
  rates: Partial<Record<FaultKind, number>>;
  seed: number;
  /** How long a stall holds the request before forwarding it. */
  stallMs?: number;
  /** The retry-after a 429 asks for. */
  retryAfterMs?: number;
}

/** mulberry32: a small, fast, seeded generator. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultProxy {
  /** The endpoint to give the Cosmos client (http://127.0.0.1:port). */
  endpoint: string;
  /** Faults on (a plan) or off (undefined): everything passes. */
  setPlan(plan: FaultPlan | undefined): void;
  /** Requests seen and faults injected, by kind. */
  counts(): Record<FaultKind | 'requests', number>;
  stop(): Promise<void>;
}

/** Starts the emulator (plain HTTP, in this process) and a fault proxy in front of it. */
export async function startFaultProxy(plan?: FaultPlan): Promise<FaultProxy> {
  const emulator = createHttpServer();
  await new Promise<void>((r) => emulator.listen(0, '127.0.0.1', () => r()));
  const upstream = emulator.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts = { requests: 0, throttle: 0, unavailable: 0, reset: 0, stall: 0, lostReply503: 0, lostReplyReset: 0 };
  let current = plan;
  let random = seeded(plan?.seed ?? 1);
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(() => (timers.delete(t), r()), ms);
      timers.add(t);
    });

  const pick = (): FaultKind | undefined => {
    if (!current) return undefined;
    let x = random();
    for (const [kind, rate] of Object.entries(current.rates) as [FaultKind, number][]) {
      if (x < rate) return kind;
      x -= rate;
    }
    return undefined;
  };

  const answer = (res: http.ServerResponse, status: number, headers: Record<string, string> = {}) => {
    const body = JSON.stringify({ code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: `injected ${status}` });
    res.writeHead(status, { 'content-type': 'application/json', 'x-ms-activity-id': '00000000-0000-0000-0000-000000000000', ...headers });
    res.end(body);
  };

  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const out = http.request({ host: upstream.address, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c) => chunks.push(c));
        up.on('end', () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
        up.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });

  const proxy = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    counts.requests++;
    const fault = pick();
    if (fault) counts[fault]++;
    try {
      if (fault === 'throttle') return answer(res, 429, { 'x-ms-retry-after-ms': String(current?.retryAfterMs ?? 50) });
      if (fault === 'unavailable') return answer(res, 503);
      if (fault === 'reset') return void req.socket.destroy();
      if (fault === 'stall') await later(current?.stallMs ?? 5_000);
      const reply = await forward(req, body);
      // The request ran; its reply is lost.
      if (fault === 'lostReply503') return answer(res, 503);
      if (fault === 'lostReplyReset') return void req.socket.destroy();
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const { port } = proxy.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setPlan(next) {
      current = next;
      if (next) random = seeded(next.seed);
    },
    counts: () => ({ ...counts }),
    async stop() {
      for (const t of timers) clearTimeout(t);
      agent.destroy();
      proxy.closeAllConnections();
      emulator.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      await new Promise<void>((r) => emulator.close(() => r()));
    },
  };
}
