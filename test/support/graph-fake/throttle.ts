// The fake's throttling: a sliding-window write budget per tenant; over it, 429 with Retry-After = the
// seconds until there is room again, and every request of that tenant during the Retry-After gets 429
// too. Tests can also force the next request's 429/503.
// https://learn.microsoft.com/graph/throttling ; https://learn.microsoft.com/graph/throttling-limits
import { graphError } from './graph-api';
import type { Reply } from './identity';

export interface WriteBudgetConfig {
  limit: number;
  windowMs: number;
}

export interface RetryAfterWindow {
  tenantId: string;
  from: number;
  until: number;
  status: number;
}

export class ThrottleBook {
  readonly windows: RetryAfterWindow[] = [];
  private readonly budgets = new Map<string, WriteBudgetConfig>();
  private readonly spent = new Map<string, number[]>();
  private readonly forced = new Map<string, { status: 429 | 503; retryAfterS: number }[]>();
  private readonly forcedWrites = new Map<string, { status: 429 | 503; retryAfterS: number }[]>();

  setBudget(tenantId: string, budget: WriteBudgetConfig): void {
    this.budgets.set(tenantId, budget);
  }

  /** The next Graph request of this tenant gets `status` with Retry-After. */
  forceNext(tenantId: string, retryAfterS: number, status: 429 | 503 = 429): void {
    if (!this.forced.has(tenantId)) this.forced.set(tenantId, []);
    this.forced.get(tenantId)!.push({ status, retryAfterS });
  }

  /** The next Graph request of this tenant that carries a write (a write, or a $batch with one) gets `status`. */
  forceNextWrite(tenantId: string, retryAfterS: number, status: 429 | 503 = 429): void {
    if (!this.forcedWrites.has(tenantId)) this.forcedWrites.set(tenantId, []);
    this.forcedWrites.get(tenantId)!.push({ status, retryAfterS });
  }

  takeForcedWrite(tenantId: string) {
    return this.forcedWrites.get(tenantId)?.shift();
  }

  takeForced(tenantId: string) {
    return this.forced.get(tenantId)?.shift();
  }

  blocked(tenantId: string, now: number): RetryAfterWindow | undefined {
    return this.windows.find((w) => w.tenantId === tenantId && now >= w.from && now < w.until);
  }

  /** Counts one write; false when the budget has no room (nothing counted). */
  spend(tenantId: string, now: number): boolean {
    const budget = this.budgets.get(tenantId);
    if (!budget) return true;
    const list = (this.spent.get(tenantId) ?? []).filter((t) => t > now - budget.windowMs);
    this.spent.set(tenantId, list);
    if (list.length >= budget.limit) return false;
    list.push(now);
    return true;
  }

  secondsUntilRoom(tenantId: string, now: number): number {
    const budget = this.budgets.get(tenantId)!;
    const oldest = this.spent.get(tenantId)![0];
    return Math.max(1, Math.ceil((oldest + budget.windowMs - now) / 1000));
  }

  open(tenantId: string, now: number, retryAfterS: number, status: number): Reply {
    const existing = this.blocked(tenantId, now);
    if (!existing) this.windows.push({ tenantId, from: now, until: now + retryAfterS * 1000, status });
    return this.reply(tenantId, now, status);
  }

  reply(tenantId: string, now: number, status: number): Reply {
    const w = this.blocked(tenantId, now)!;
    const seconds = Math.max(1, Math.ceil((w.until - now) / 1000));
    const r = status === 503
      ? graphError(503, 'ServiceUnavailable', 'Service is unavailable. Retry after some time.')
      : graphError(429, 'TooManyRequests', 'Too many requests are being made to the tenant. Retry after some time.');
    return { ...r, headers: { 'Retry-After': String(seconds) } };
  }
}
