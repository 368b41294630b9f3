// Runs inside a measured process (the bot's, the emulator's): samples its memory every 50 ms and keeps
// the sample with the highest RSS, with V8's heap spaces at that moment — where the memory goes at the
// peak — and the kernel's own high-water mark (VmHWM), which no sampling can miss.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { MiB } from './measure';

export interface MemoryReport {
  /** The kernel's peak resident set of the process (VmHWM), bytes. */
  peakRss: number;
  /** The sample with the highest RSS. */
  atPeak: NodeJS.MemoryUsage & { spaces: Record<string, number> };
}

/** VmHWM of a process (Linux), bytes; falls back to getrusage for this process. */
export function highWaterMark(pid: number | 'self' = 'self'): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return pid === 'self' ? process.resourceUsage().maxRSS * 1024 : NaN;
}

export class ProcessMemoryWatch {
  private peak = sample();
  private readonly timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak.rss) this.peak = sample();
  }, 50);

  constructor() {
    this.timer.unref();
  }

  report(): MemoryReport {
    return { peakRss: highWaterMark(), atPeak: this.peak };
  }
}

function sample(): MemoryReport['atPeak'] {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
  return { ...process.memoryUsage(), spaces };
}

/** Where the memory was at the peak sample, in words for BENCHMARKS.md. */
export function describeMemory(r: MemoryReport): string {
  const p = r.atPeak;
  const m = (b: number) => MiB(b).toFixed(0);
  const rest = p.rss - p.heapTotal - p.external;
  const spaces = Object.entries(p.spaces)
    .filter(([, used]) => used >= 2 ** 20)
    .sort((a, b) => b[1] - a[1])
    .map(([name, used]) => `${name.replace(/_space$/, '')} ${m(used)}`)
    .join(', ');
  return `peak ${m(r.peakRss)} MiB (VmHWM); at the peak sample RSS ${m(p.rss)} MiB = V8 heap ${m(p.heapTotal)} MiB reserved (${m(p.heapUsed)} in use: ${spaces}) + external ${m(p.external)} MiB (array buffers ${m(p.arrayBuffers)}) + ${m(rest)} MiB code, stacks, the runtime and allocator slack`;
}
