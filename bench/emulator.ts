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
