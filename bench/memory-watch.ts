// Samples the bot process's memory while a phase runs, and keeps the sample with the highest RSS: where
// the memory goes (V8 heap in use vs. buffers) at the peak.
import { MiB } from './measure';

export class MemoryWatch {
  private peak = process.memoryUsage();
  private readonly timer = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > this.peak.rss) this.peak = now;
  }, 50);

  stop() {
    clearInterval(this.timer);
  }

  describe(): string {
    const p = this.peak;
    return `RSS ${MiB(p.rss).toFixed(0)} MiB = V8 heap ${MiB(p.heapTotal).toFixed(0)} MiB (in use ${MiB(p.heapUsed).toFixed(0)}) + external ${MiB(p.external).toFixed(0)} MiB (array buffers ${MiB(p.arrayBuffers).toFixed(0)}) + code, stacks and the runtime (the rest)`;
  }
}
