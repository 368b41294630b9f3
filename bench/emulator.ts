// Starts the emulator child process (emulator-process.ts) and talks to it over IPC.
import path from 'node:path';
import { startChild } from './child';
import type { MemoryReport } from './memory-watch';

export interface EmulatorProcess {
  endpoint: string;
  pid: number;
  /** `maxRss` (= peakRss) and `rss` kept for bench/scale.ts. */
  memory(): Promise<MemoryReport & { rss: number; maxRss: number }>;
  cpu(): Promise<NodeJS.CpuUsage>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child = await startChild<{ endpoint: string }>(path.join(__dirname, 'emulator-process.ts'), {}, ['--max-old-space-size=8192']);
  return {
    endpoint: child.ready.endpoint,
    pid: child.pid,
    memory: async () => {
      const r = await child.ask<MemoryReport>('memory');
      return { ...r, rss: r.atPeak.rss, maxRss: r.peakRss };
    },
    cpu: () => child.ask('cpu'),
    stop: child.stop,
  };
}

/** A modelled network in front of the emulator (delay-proxy.ts), in a process of its own: `rttMs` a round trip. */
export async function startDelayProxyProcess(upstream: string, rttMs: number): Promise<{ endpoint: string; cpu(): Promise<NodeJS.CpuUsage>; stop(): Promise<void> }> {
  const child = await startChild<{ endpoint: string }>(path.join(__dirname, 'delay-proxy-process.ts'), { BENCH_UPSTREAM: upstream, BENCH_ONE_WAY_MS: String(rttMs / 2) });
  return { endpoint: child.ready.endpoint, cpu: () => child.ask('cpu'), stop: child.stop };
}
