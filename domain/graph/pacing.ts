// Keeps each tenant under Graph's identity write limits and honours every Retry-After.
// Limits: https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits
// Retry-After: https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling
// Per tenant, requests go one at a time (configurable): once a tenant answers 429/503 with
// Retry-After, nothing else is sent to it until that time has passed. Tenants never wait for each other,
// except on the app-wide budget that Graph itself counts across all tenants. Each budget's rate is kept
// a little under (PACING_HEADROOM), and a write is counted until a window after its reply (SlidingWindow).
import type { WriteBudget } from './settings';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PacerBudget {
  perAppAndTenant: WriteBudget;
  perTenant: WriteBudget;
  perApp: WriteBudget;
}

/**
 * Graph counts each write in a sliding window of its own clock, at a moment License Desk cannot see:
 * somewhere between sending the request and receiving its reply (Graph does not say where, nor how its
 * windows are aligned). So a write is held from the moment it is sent until `windowMs` after its reply
 * came back: a request sent then arrives at Graph at least `windowMs` after Graph counted the old one,
 * whatever Graph's clock, latency or alignment. While a request is on its way its end is not known.
 */
interface WindowEntry {
  writes: number;
  /** Reply received at (the latest moment Graph can have counted it); undefined while in flight. */
  doneAt?: number;
}

class SlidingWindow {
  private readonly entries: WindowEntry[] = [];
  /** How long License Desk counts a write after its reply: Graph's window, stretched by the headroom. */
  private readonly holdMs: number;
  constructor(private readonly budget: WriteBudget, headroom: number) {
    this.holdMs = Math.ceil(budget.windowMs / (1 - headroom));
  }

  /**
   * Milliseconds until `writes` more fit; 0 when they fit now. A write still in flight is taken as if
   * its reply came now: the wait is then never too long, and the caller looks again after it.
   */
  waitFor(writes: number, now: number): number {
    this.expire(now);
    const need = Math.min(writes, this.budget.limit);
    let used = this.entries.reduce((s, e) => s + e.writes, 0);
    if (used + need <= this.budget.limit) return 0;
    const ends = this.entries.map((e) => ({ at: (e.doneAt ?? now) + this.holdMs, writes: e.writes })).sort((a, b) => a.at - b.at);
    for (const e of ends) {
      used -= e.writes;
      if (used + need <= this.budget.limit) return Math.max(1, e.at - now);
    }
    return this.holdMs;
  }

  /** A request is sent: its writes count from now until the window after its reply. */
  start(writes: number): WindowEntry | undefined {
    if (writes <= 0) return undefined;
    const entry: WindowEntry = { writes };
    this.entries.push(entry);
    return entry;
  }

  private expire(now: number): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.doneAt !== undefined && e.doneAt + this.holdMs <= now) this.entries.splice(i, 1);
    }
  }
}

class TenantLane {
  blockedUntil = 0;
  inFlight = 0;
  readonly waiting: (() => void)[] = [];
  constructor(
    readonly appAndTenant: SlidingWindow,
    readonly tenant: SlidingWindow,
  ) {}
}

/**
 * How far under each budget's rate License Desk stays: its windows are this much longer than Graph's
 * (150 s becomes 158 s), so it writes at 95% of the rate Graph allows. Room for what License Desk
 * cannot see (other writers in the tenant, a clock running a little fast, what else Graph counts), at
 * 5% of the time; a window stays whole, so $batch requests of 20 still fill it.
 */
export const PACING_HEADROOM = 0.05;

export class GraphPacer {
  private readonly lanes = new Map<string, TenantLane>();
  private readonly app: SlidingWindow;

  constructor(
    private readonly budget: PacerBudget,
    private readonly clock: Clock = systemClock,
    private readonly maxInFlightPerTenant = 1,
    private readonly headroom = PACING_HEADROOM,
  ) {
    this.app = new SlidingWindow(budget.perApp, headroom);
  }

  /**
   * Sends once the tenant has a free slot, no Retry-After is running and the writes fit every window.
   * `send` must call `pause` for a Retry-After before it returns, so the next request sees it.
   */
  async run<T>(tenantId: string, writes: number, send: () => Promise<T>): Promise<T> {
    const lane = this.lane(tenantId);
    await this.takeSlot(lane);
    const sent: WindowEntry[] = [];
    try {
      for (;;) {
        const now = this.clock.now();
        const wait = Math.max(
          lane.blockedUntil - now,
          lane.appAndTenant.waitFor(writes, now),
          lane.tenant.waitFor(writes, now),
          this.app.waitFor(writes, now),
        );
        if (wait <= 0) break;
        await this.clock.sleep(wait);
      }
      for (const w of [lane.appAndTenant, lane.tenant, this.app]) {
        const entry = w.start(writes);
        if (entry) sent.push(entry);
      }
      return await send();
    } finally {
      // Answered, failed or lost: Graph counted it by now at the latest.
      const doneAt = this.clock.now();
      for (const entry of sent) entry.doneAt = doneAt;
      lane.inFlight--;
      lane.waiting.shift()?.();
    }
  }

  /** A Retry-After from this tenant: nothing more is sent to it for `ms`. */
  pause(tenantId: string, ms: number): void {
    const lane = this.lane(tenantId);
    lane.blockedUntil = Math.max(lane.blockedUntil, this.clock.now() + ms);
  }

  blockedUntil(tenantId: string): number {
    return this.lane(tenantId).blockedUntil;
  }

  private async takeSlot(lane: TenantLane): Promise<void> {
    while (lane.inFlight >= this.maxInFlightPerTenant) {
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    }
    lane.inFlight++;
  }

  private lane(tenantId: string): TenantLane {
    let lane = this.lanes.get(tenantId);
    if (!lane) {
      lane = new TenantLane(new SlidingWindow(this.budget.perAppAndTenant, this.headroom), new SlidingWindow(this.budget.perTenant, this.headroom));
      this.lanes.set(tenantId, lane);
    }
    return lane;
  }
}

/** Retry-After in seconds (or an HTTP date) to milliseconds; Graph sends seconds. */
export function retryAfterMs(value: string | undefined | null, now: number, fallbackMs = 1000): number {
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : fallbackMs;
}
