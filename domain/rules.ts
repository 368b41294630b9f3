// The rules Microsoft enforces on one user's license change, as a pure function; seat counts are
// decided afterwards across all users of a request (allocateSeats), since they are shared.
import type { Catalog } from './catalog';
import { licenseError, type LicenseError } from './errors';
import { inheritedOnly, type AssignedLicense, type DirectoryUser, type ParsedChangeRequest } from './model';
import { sameLicenses, undoTargetOf } from './undo-targets';

export type UserOutcomeStatus = 'succeeded' | 'noChange' | 'failed';

export interface UserChangePlan {
  userId: string;
  displayName: string;
  userPrincipalName: string;
  status: UserOutcomeStatus;
  before: AssignedLicense[];
  after: AssignedLicense[];
  /** skuIds that get a new seat. */
  added: string[];
  /** skuIds whose seat is given back. */
  removed: string[];
  /** skuIds kept, with other service plans switched off. */
  updated: string[];
  errors: LicenseError[];
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Service plans switched on for a user holding these licenses: planId → skuIds it comes from. */
export function enabledPlans(licenses: AssignedLicense[], catalog: Catalog): Map<string, string[]> {
  const plans = new Map<string, string[]>();
  for (const lic of licenses) {
    const sku = catalog.sku(lic.skuId);
    if (!sku) continue;
    for (const p of sku.servicePlans) {
      if (lic.disabledPlans.includes(p.servicePlanId)) continue;
      plans.set(p.servicePlanId, [...(plans.get(p.servicePlanId) ?? []), lic.skuId]);
    }
  }
  return plans;
}

/** The licenses a user would end with, before any rule is checked. */
function targetLicenses(user: DirectoryUser, req: ParsedChangeRequest): AssignedLicense[] {
  const wanted = new Map(req.licensesToAssign.map((l) => [l.skuId, l]));
  const current = new Map(user.assignedLicenses.map((l) => [l.skuId, l]));
  // Plans named in the request apply; otherwise a holder keeps theirs and a new holder gets them all.
  const plansFor = (skuId: string, requested?: string[]) => [...new Set(requested ?? current.get(skuId)?.disabledPlans ?? [])];
  if (req.mode === 'replace') {
    return req.licensesToAssign.map((l) => ({ skuId: l.skuId, disabledPlans: plansFor(l.skuId, l.disabledPlans) }));
  }
  const remove = new Set(req.licensesToRemove);
  const after: AssignedLicense[] = [];
  for (const lic of user.assignedLicenses) {
    if (remove.has(lic.skuId)) continue;
    const w = req.mode === 'add' ? wanted.get(lic.skuId) : undefined;
    after.push(w ? { skuId: lic.skuId, disabledPlans: plansFor(lic.skuId, w.disabledPlans) } : lic);
    wanted.delete(lic.skuId);
  }
  if (req.mode === 'add') {
    for (const l of wanted.values()) {
      if (!remove.has(l.skuId)) after.push({ skuId: l.skuId, disabledPlans: plansFor(l.skuId, l.disabledPlans) });
    }
  }
  return after;
}

/**
 * An undo puts the user back to what they had before the undone change — only while they still hold
 * exactly what it left; already back is no change; anything else was changed since and is not touched.
 */
function undoTarget(user: DirectoryUser, userId: string, req: ParsedChangeRequest, catalog: Catalog): AssignedLicense[] | { error: LicenseError } {
  const target = undoTargetOf(req, userId);
  if (target && sameLicenses(user.assignedLicenses, target.after)) return target.before;
  if (target && sameLicenses(user.assignedLicenses, target.before)) return user.assignedLicenses;
  const left = new Map((target?.after ?? []).map((l) => [l.skuId, l]));
  const now = new Map(user.assignedLicenses.map((l) => [l.skuId, l]));
  const names = (ids: string[]) => ids.map((id) => catalog.displayName(id));
  // The latest License Desk change to the user since (the Cosmos directory keeps marks; others may not).
  const marks = (user as { licenseChanges?: { operationId: string; at: string }[] }).licenseChanges ?? [];
  const later = marks.find((m) => m.operationId !== req.undo?.operationId && m.at > (req.undo?.createdAt ?? ''));
  return {
    error: licenseError('changedSinceUndoneChange', {
      assignedSince: names([...now.keys()].filter((id) => !left.has(id))),
      removedSince: names([...left.keys()].filter((id) => !now.has(id))),
      plansChangedSince: names([...now.keys()].filter((id) => left.has(id) && !sameLicenses([now.get(id)!], [left.get(id)!]))),
      changedAt: later ? later.at.replace('T', ' ').slice(0, 16) + ' UTC' : '',
    }),
  };
}

/** Checks every rule but seat counts for one user; status is provisional until seats are allocated. */
export function evaluateUserChange(user: DirectoryUser | undefined, userId: string, req: ParsedChangeRequest, catalog: Catalog): UserChangePlan {
  if (!user) {
    return {
      userId, displayName: userId, userPrincipalName: '', status: 'failed', before: [], after: [], added: [], removed: [], updated: [],
      errors: [licenseError('userNotFound', { userId })],
    };
  }
  const before = user.assignedLicenses;
  const after = req.mode === 'undo' ? undoTarget(user, userId, req, catalog) : targetLicenses(user, req);
  if ('error' in after) {
    const plan = { userId, displayName: user.displayName, userPrincipalName: user.userPrincipalName, before, after: before, added: [], removed: [], updated: [] };
    return { ...plan, status: 'failed', errors: [after.error] };
  }
  const beforeById = new Map(before.map((l) => [l.skuId, l]));
  const afterIds = new Set(after.map((l) => l.skuId));
  const added = after.filter((l) => !beforeById.has(l.skuId)).map((l) => l.skuId);
  const removed = before.filter((l) => !afterIds.has(l.skuId)).map((l) => l.skuId);
  const updated = after
    .filter((l) => beforeById.has(l.skuId) && !sameSet(beforeById.get(l.skuId)!.disabledPlans, l.disabledPlans))
    .map((l) => l.skuId);
  const plan: UserChangePlan = {
    userId, displayName: user.displayName, userPrincipalName: user.userPrincipalName,
    status: 'succeeded', before, after, added, removed, updated, errors: [],
  };
  if (!added.length && !removed.length && !updated.length) return { ...plan, status: 'noChange', after: before };

  const errors = [
    ...checkInherited(user, removed, catalog),
    ...checkProducts(after, added, updated, catalog),
    ...checkUsageLocation(user, added, updated, catalog),
  ];
  // Plan-level rules only make sense once every product involved is known and assignable.
  if (!errors.length) errors.push(...checkMutualExclusion(before, after, catalog), ...checkDependencies(before, after, added, catalog));
  return errors.length ? { ...plan, status: 'failed', errors } : plan;
}

/** A license the user has only through a group is never sent as a direct removal (Graph refuses it). */
function checkInherited(user: DirectoryUser, removed: string[], catalog: Catalog): LicenseError[] {
  const inherited = inheritedOnly(user);
  return removed
    .filter((skuId) => inherited.has(skuId.toLowerCase()))
    .map((skuId) => licenseError('inheritedFromGroup', { product: catalog.displayName(skuId), groups: inherited.get(skuId.toLowerCase())! }, skuId));
}

function checkProducts(after: AssignedLicense[], added: string[], updated: string[], catalog: Catalog): LicenseError[] {
  const errors: LicenseError[] = [];
  for (const lic of after) {
    const changed = added.includes(lic.skuId) || updated.includes(lic.skuId);
    if (!changed) continue;
    const sku = catalog.sku(lic.skuId);
    if (!sku) {
      errors.push(licenseError('unknownSku', { skuId: lic.skuId }, lic.skuId));
      continue;
    }
    const why = catalog.notAssignableWhy(sku);
    if (why && added.includes(lic.skuId)) {
      errors.push(licenseError('notAssignable', { product: catalog.displayName(sku.skuId), why }, sku.skuId));
    }
    for (const planId of lic.disabledPlans) {
      if (!sku.servicePlans.some((p) => p.servicePlanId === planId)) {
        errors.push(licenseError('invalidDisabledPlans', { plan: catalog.planName(planId), product: catalog.displayName(sku.skuId) }, sku.skuId));
      }
    }
  }
  return errors;
}

function checkUsageLocation(user: DirectoryUser, added: string[], updated: string[], catalog: Catalog): LicenseError[] {
  if (!added.length && !updated.length) return [];
  if (!user.usageLocation) return [licenseError('usageLocationMissing', {})];
  const errors: LicenseError[] = [];
  for (const skuId of added) {
    const sku = catalog.sku(skuId);
    const restriction = sku && catalog.rules.locationRestrictions.find((r) => r.skuPartNumber === sku.skuPartNumber);
    if (restriction && !restriction.allowedUsageLocations.includes(user.usageLocation.toUpperCase())) {
      errors.push(
        licenseError(
          'prohibitedInUsageLocation',
          { product: catalog.displayName(skuId), usageLocation: user.usageLocation, allowed: restriction.allowedUsageLocations },
          skuId,
        ),
      );
    }
  }
  return errors;
}

function checkMutualExclusion(before: AssignedLicense[], after: AssignedLicense[], catalog: Catalog): LicenseError[] {
  const was = enabledPlans(before, catalog);
  const now = enabledPlans(after, catalog);
  const errors: LicenseError[] = [];
  for (const rule of catalog.rules.mutuallyExclusive) {
    if (!rule.enforce) continue;
    const [a, b] = rule.servicePlans;
    const fromA = now.get(a.servicePlanId);
    const fromB = now.get(b.servicePlanId);
    if (!fromA || !fromB) continue;
    // A conflict the user already had is not this change's doing; only new conflicts fail.
    if (was.get(a.servicePlanId) && was.get(b.servicePlanId)) continue;
    // Name the plan this change brings first, so the fix points at what the admin controls.
    const aIsNew = !was.get(a.servicePlanId);
    const [newPlan, newSkus, oldPlan, oldSkus] = aIsNew ? [a, fromA, b, fromB] : [b, fromB, a, fromA];
    errors.push(
      licenseError(
        'mutuallyExclusiveViolation',
        {
          planA: newPlan.servicePlanName, productA: catalog.displayName(newSkus[0]),
          planB: oldPlan.servicePlanName, productB: catalog.displayName(oldSkus[0]),
        },
        newSkus[0],
      ),
    );
  }
  return errors;
}

function checkDependencies(before: AssignedLicense[], after: AssignedLicense[], added: string[], catalog: Catalog): LicenseError[] {
  const was = enabledPlans(before, catalog);
  const now = enabledPlans(after, catalog);
  const partsAfter = new Set(after.map((l) => catalog.sku(l.skuId)?.skuPartNumber).filter(Boolean) as string[]);
  const errors: LicenseError[] = [];
  for (const dep of catalog.rules.dependencies) {
    if (dep.requiresAnyServicePlan && dep.dependent.servicePlanId) {
      const requirement = requiredPlans(dep.requiresAnyServicePlan, catalog);
      const dependentOn = now.get(dep.dependent.servicePlanId);
      if (!dependentOn) continue;
      const satisfiedNow = dep.requiresAnyServicePlan.some((p) => now.has(p.servicePlanId));
      if (satisfiedNow) continue;
      const newlyEnabled = !was.has(dep.dependent.servicePlanId);
      const satisfiedBefore = dep.requiresAnyServicePlan.some((p) => was.has(p.servicePlanId));
      const product = catalog.displayName(dependentOn[0]);
      if (newlyEnabled && dep.checkOn.includes('assign')) {
        errors.push(licenseError('dependencyViolation', { direction: 'needs', product, ...requirement }, dependentOn[0]));
      } else if (!newlyEnabled && satisfiedBefore && dep.checkOn.includes('revoke')) {
        errors.push(licenseError('dependencyViolation', { direction: 'dependedOn', dependent: product, ...requirement }, dependentOn[0]));
      }
    }
    if (dep.requiresAnySku && dep.checkOn.includes('assign')) {
      const addedSku = added.map((id) => catalog.sku(id)).find((s) => s?.skuPartNumber === dep.dependent.skuPartNumber);
      if (!addedSku) continue;
      if (dep.requiresAnySku.some((part) => partsAfter.has(part))) continue;
      const owned = catalog.skus.filter((s) => dep.requiresAnySku!.includes(s.skuPartNumber)).map((s) => catalog.displayName(s.skuId));
      const anyOfProducts = owned.length ? owned : dep.requiresAnySku.map((p) => catalog.displayNameOfPart(p));
      errors.push(licenseError('dependencyViolation', { direction: 'needs', product: catalog.displayName(addedSku.skuId), anyOfProducts }, addedSku.skuId));
    }
  }
  return errors;
}

/** A requirement met by any of these plans, and the products that carry them (the cards say "X or Y (in P)"). */
function requiredPlans(plans: { servicePlanId: string; servicePlanName: string }[], catalog: Catalog): { anyOfPlans: string[]; inProducts: string[] } {
  const inProducts = [...new Set(plans.flatMap((p) => catalog.productsWithPlan(p.servicePlanId)))];
  return { anyOfPlans: plans.map((p) => p.servicePlanName), inProducts };
}

/**
 * Gives seats to users in request order until a product runs out; a user who cannot get every seat
 * they need fails whole (nothing half-applied). Only net new demand counts: holders need no seat.
 */
export function allocateSeats(
  plans: UserChangePlan[],
  available: Map<string, number>,
  catalog: Catalog,
  /** What the whole request needs and had, for the message (a chunk of a large request sees only part). */
  seatDemand?: Map<string, { available: number; needed: number }>,
): UserChangePlan[] {
  const left = new Map(available);
  const demand = seatsAskedFor(plans);
  return plans.map((p) => {
    if (p.status !== 'succeeded' || !p.added.length) return p;
    const short = p.added.filter((s) => (left.get(s) ?? 0) < 1);
    if (short.length) {
      return {
        ...p,
        status: 'failed',
        errors: short.map((s) =>
          licenseError(
            'countViolation',
            {
              product: catalog.displayName(s),
              available: seatDemand?.get(s)?.available ?? available.get(s) ?? 0,
              needed: seatDemand?.get(s)?.needed ?? demand.get(s) ?? 1,
            },
            s,
          ),
        ),
      };
    }
    for (const s of p.added) left.set(s, left.get(s)! - 1);
    return p;
  });
}

/** Net new seats a set of plans asks for, per product (users who already hold it need none). */
export function seatsAskedFor(plans: UserChangePlan[]): Map<string, number> {
  const demand = new Map<string, number>();
  for (const p of plans) if (p.status === 'succeeded') for (const s of p.added) demand.set(s, (demand.get(s) ?? 0) + 1);
  return demand;
}
