// assignLicense for many users: one call per user with its adds and removes together (Graph applies
// them as one change and returns the user), 20 per $batch, each user's outcome on its own.
// https://learn.microsoft.com/graph/api/user-assignlicense
import { runBatches } from './batch';
import type { GraphClient } from './graph-client';
import type { GraphAssignedLicense, GraphUser } from './graph-types';
import { mapLicenseError, type GraphLicenseError } from './license-errors';

export interface LicenseChange {
  userId: string;
  addLicenses: GraphAssignedLicense[];
  removeLicenses: string[];
  /** The runner's lease fence, checked right before each attempt to send this user's write. */
  fence?: () => void;
}

export type LicenseWriteOutcome =
  | { userId: string; status: 'applied'; user: GraphUser }
  | { userId: string; status: 'failed'; error: GraphLicenseError }
  /** Never sent: the runner's lease fence closed first (`error` is what it threw). */
  | { userId: string; status: 'fenced'; error: unknown }
  /** No answer to trust (timeout, 5xx, connection lost after sending): settle with settleByReadBack. */
  | { userId: string; status: 'unknown'; reason: 'timeout' | 'connectionLost' | 'serverError'; httpStatus?: number };

/** Outcomes in the order of `changes`; a user may appear only once. */
export async function assignLicenses(client: GraphClient, tenantId: string, changes: LicenseChange[]): Promise<LicenseWriteOutcome[]> {
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.userId)) throw new Error(`user ${c.userId} appears twice in one license write`);
    seen.add(c.userId);
  }
  const results = await runBatches(
    client.batch,
    tenantId,
    changes.map((c, i) => ({
      id: String(i),
      method: 'POST' as const,
      url: `/users/${encodeURIComponent(c.userId)}/assignLicense`,
      body: {
        addLicenses: c.addLicenses.map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans ?? [] })),
        removeLicenses: c.removeLicenses,
      },
      ...(c.fence ? { fence: c.fence } : {}),
    })),
    true,
  );
  return changes.map((c, i): LicenseWriteOutcome => {
    const r = results.get(String(i))!;
    if (r.kind === 'fenced') return { userId: c.userId, status: 'fenced', error: r.error };
    if (r.kind === 'unknown') {
      return { userId: c.userId, status: 'unknown', reason: r.reason, ...(r.status ? { httpStatus: r.status } : {}) };
    }
    if (r.status >= 200 && r.status < 300) return { userId: c.userId, status: 'applied', user: r.body as GraphUser };
    return { userId: c.userId, status: 'failed', error: mapLicenseError(r.status, r.body) };
  });
}
