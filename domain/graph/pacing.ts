// Keeps each tenant under Graph's identity write limits and honours every Retry-After.
// Limits: https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits
// Retry-After: https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling
// Per tenant, requests go one at a time (configurable): once a tenant answers 429/503 with
// Retry-After, nothing else is sent to it until that time has passed. Tenants never wait for each other,
// except on the app-wide budget that Graph itself counts across all tenants.
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

class SlidingWindow {
  private readonly entries: { at: number; writes: number }[] = [];
  constructor(private readonly budget: WriteBudget) {}

  /** Milliseconds until `writes` more fit; 0 when they fit now. */
  waitFor(writes: number, now: number): number {
    this.expire(now);
    const need = Math.min(writes, this.budget.limit);
    let used = this.entries.reduce((s, e) => s + e.writes, 0);
    for (const e of this.entries) {
      if (used + need <= this.budget.limit) break;
      used -= e.writes;
      if (used + need <= this.budget.limit) return e.at + this.budget.windowMs - now;
    }
    return used + need <= this.budget.limit ? 0 : this.budget.windowMs;
  }

  record(writes: number, now: number): void {
    if (writes > 0) this.entries.push({ at: now, writes });
  }

  private expire(now: number): void {
    while (this.entries.length && this.entries[0].at + this.budget.windowMs <= now) this.entries.shift();
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

export class GraphPacer {
  private readonly lanes = new Map<string, TenantLane>();
  private readonly app: SlidingWindow;

  constructor(
    private readonly budget: PacerBudget,
    private readonly clock: Clock = systemClock,
    private readonly maxInFlightPerTenant = 1,
  ) {
    this.app = new SlidingWindow(budget.perApp);
  }

  /**
   * Sends once the tenant has a free slot, no Retry-After is running and the writes fit every window.
   * `send` must call `pause` for a Retry-After before it returns, so the next request sees it.
   */
  async run<T>(tenantId: string, writes: number, send: () => Promise<T>): Promise<T> {
    const lane = this.lane(tenantId);
    await this.takeSlot(lane);
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
      const now = this.clock.now();
      for (const w of [lane.appAndTenant, lane.tenant, this.app]) w.record(writes, now);
      return await send();
    } finally {
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
      lane = new TenantLane(new SlidingWindow(this.budget.perAppAndTenant), new SlidingWindow(this.budget.perTenant));
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
