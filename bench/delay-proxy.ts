// A network between the Cosmos DB client and the emulator, modelled honestly: a TCP proxy on loopback
// that holds every chunk of bytes for a fixed time in each direction, so every request pays a round
// trip (twice `oneWayMs`) as it would to Cosmos DB in the same Azure region, and nothing else changes
// (TLS goes through untouched, keep-alive connections stay open). The emulator answers in well under a
// millisecond on loopback, where one-at-a-time work is not bound by latency as it is in production.
// Run in a process of its own (delay-proxy-process.ts), so its timers never wait on the client's work.
import net from 'node:net';

export interface DelayProxy {
  /** The endpoint to give the Cosmos client: the upstream's, with the proxy's port. */
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDelayProxy(upstream: string, oneWayMs: number): Promise<DelayProxy> {
  const target = new URL(upstream);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.setNoDelay(true);
  };
  // Bytes go out after `oneWayMs`, in the order they came (timers of one duration fire in order).
  const forward = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => void setTimeout(() => to.destroyed || to.write(chunk), oneWayMs));
    from.on('end', () => void setTimeout(() => to.destroyed || to.end(), oneWayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), oneWayMs + 1));
  };
  const server = net.createServer((client) => {
    const server = net.connect(Number(target.port), target.hostname);
    track(client);
    track(server);
    forward(client, server);
    forward(server, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `${target.protocol}//127.0.0.1:${port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
