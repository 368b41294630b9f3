// Timing and memory helpers for the benchmark.
import { performance } from 'node:perf_hooks';

export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await work();
  return [out, (performance.now() - t) / 1000];
}

/** Milliseconds of `runs` sequential repetitions: p50, p95, max. */
export async function percentiles(runs: number, once: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number; max: number; runs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await once(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), max: times[times.length - 1], runs };
}

/** This process's peak resident memory so far (bytes). */
export const peakRss = () => process.resourceUsage().maxRSS * 1024;

export const MiB = (bytes: number) => bytes / 2 ** 20;
