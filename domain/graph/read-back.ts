// After an unknown outcome, the user's own licenses say whether the change landed: assignLicense applies
// a user's adds and removes together or not at all, so "every add there (with its disabled plans), every
// remove gone" means applied, anything else means not applied (and safe to send again).
// Group-inherited licenses are not the user's direct ones: https://learn.microsoft.com/entra/identity/users/licensing-group-advanced
import type { GraphClient } from './graph-client';
import type { GraphAssignedLicense, GraphUser } from './graph-types';
import type { LicenseChange } from './license-writes';

export type ReadBackDecision = 'applied' | 'notApplied' | 'userNotFound';

/** The user's directly assigned licenses (licenseAssignmentStates when read, else assignedLicenses). */
export function directLicenses(user: GraphUser): GraphAssignedLicense[] {
  if (user.licenseAssignmentStates) {
    return user.licenseAssignmentStates
      .filter((s) => !s.assignedByGroup)
      .map((s) => ({ skuId: s.skuId.toLowerCase(), disabledPlans: s.disabledPlans ?? [] }));
  }
  return (user.assignedLicenses ?? []).map((l) => ({ skuId: l.skuId.toLowerCase(), disabledPlans: l.disabledPlans ?? [] }));
}

const samePlans = (a: string[], b: string[]) =>
  a.length === b.length && [...a].map((x) => x.toLowerCase()).sort().join() === [...b].map((x) => x.toLowerCase()).sort().join();

export function decideFromReadBack(user: GraphUser | null, change: LicenseChange): ReadBackDecision {
  if (!user) return 'userNotFound';
  const direct = new Map(directLicenses(user).map((l) => [l.skuId, l.disabledPlans]));
  const addsThere = change.addLicenses.every((a) => {
    const plans = direct.get(a.skuId.toLowerCase());
    return plans !== undefined && samePlans(plans, a.disabledPlans ?? []);
  });
  const removesGone = change.removeLicenses.every((r) => !direct.has(r.toLowerCase()));
  return addsThere && removesGone ? 'applied' : 'notApplied';
}

/** Reads the users back fresh (batched) and decides each unknown change. */
export async function settleByReadBack(
  client: GraphClient,
  tenantId: string,
  changes: LicenseChange[],
): Promise<{ change: LicenseChange; decision: ReadBackDecision; user: GraphUser | null }[]> {
  const users = await client.getUsers(tenantId, changes.map((c) => c.userId));
  return changes.map((change) => {
    const user = users.get(change.userId) ?? null;
    return { change, decision: decideFromReadBack(user, change), user };
  });
}
