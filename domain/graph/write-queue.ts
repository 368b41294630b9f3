// The runner writes a chunk's users one call each (applyUserChange); Graph's throughput comes from
// $batch. This queue gathers the calls that arrive together, per tenant, and sends them through
// assignLicenses (≤ 20 a batch, paced per tenant): while one batch is out, the next one fills up.
// Unknown outcomes are settled here by reading those users back, batched as well.
import type { GraphClient } from './graph-client';
import { assignLicenses, type LicenseChange, type LicenseWriteOutcome } from './license-writes';
import { MAX_BATCH } from './batch';
import { settleByReadBack } from './read-back';
import type { GraphUser } from './graph-types';

export type SettledWrite =
  | { status: 'applied'; user: GraphUser }
  | { status: 'failed'; outcome: Extract<LicenseWriteOutcome, { status: 'failed' }> }
  /** Read back after an unknown outcome: the change is not there (safe to decide again). */
  | { status: 'notApplied'; user: GraphUser | null };

interface Waiting {
  change: LicenseChange;
  resolve: (w: SettledWrite) => void;
  reject: (e: unknown) => void;
}

export class LicenseWriteQueue {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly draining = new Set<string>();

  constructor(
    private readonly client: GraphClient,
    /** How long the first call waits for others of its chunk before a batch goes out. */
    private readonly gatherMs = 5,
  ) {}

  write(tenantId: string, change: LicenseChange): Promise<SettledWrite> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(tenantId) ?? [];
      this.queues.set(tenantId, queue);
      queue.push({ change, resolve, reject });
      if (!this.draining.has(tenantId)) void this.drain(tenantId);
    });
  }

  private async drain(tenantId: string): Promise<void> {
    this.draining.add(tenantId);
    try {
      await new Promise((r) => setTimeout(r, this.gatherMs));
      const queue = this.queues.get(tenantId)!;
      while (queue.length) {
        // One user at most once per batch (two changes for one user go one after the other).
        const take: Waiting[] = [];
        const users = new Set<string>();
        for (let i = 0; i < queue.length && take.length < MAX_BATCH; ) {
          if (users.has(queue[i].change.userId)) i++;
          else {
            users.add(queue[i].change.userId);
            take.push(...queue.splice(i, 1));
          }
        }
        await this.send(tenantId, take);
      }
    } finally {
      this.draining.delete(tenantId);
      if (this.queues.get(tenantId)?.length) void this.drain(tenantId);
    }
  }

  private async send(tenantId: string, take: Waiting[]): Promise<void> {
    try {
      const outcomes = await assignLicenses(this.client, tenantId, take.map((w) => w.change));
      const unknown: Waiting[] = [];
      outcomes.forEach((o, i) => {
        if (o.status === 'applied') take[i].resolve({ status: 'applied', user: o.user });
        else if (o.status === 'failed') take[i].resolve({ status: 'failed', outcome: o });
        else unknown.push(take[i]);
      });
      if (!unknown.length) return;
      // Not known whether Graph applied these: the users' licenses now say so (never guessed, never twice).
      try {
        const settled = await settleByReadBack(this.client, tenantId, unknown.map((w) => w.change));
        settled.forEach((s, i) => {
          if (s.decision === 'applied') unknown[i].resolve({ status: 'applied', user: s.user! });
          else unknown[i].resolve({ status: 'notApplied', user: s.user });
        });
      } catch (err) {
        for (const w of unknown) w.reject(err);
      }
    } catch (err) {
      for (const w of take) w.reject(err);
    }
  }
}
