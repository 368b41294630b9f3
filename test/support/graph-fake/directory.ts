// The fake's directory: the demo tenants (data/demo, already in Graph's shapes) and the licensing
// behaviour of assignLicense as Microsoft documents it.
// assignLicense: https://learn.microsoft.com/graph/api/user-assignlicense
// error texts: https://learn.microsoft.com/entra/fundamentals/licensing-groups-resolve-problems
// group-inherited licenses: https://learn.microsoft.com/entra/identity/users/licensing-group-advanced
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEMO = join(__dirname, '..', '..', '..', 'data', 'demo');
const readJson = (...p: string[]) => JSON.parse(readFileSync(join(DEMO, ...p), 'utf8'));

export interface FakeLicenseState {
  skuId: string;
  disabledPlans: string[];
  assignedByGroup: string | null;
  state: 'Active';
  error: 'None';
  lastUpdatedDateTime: string;
}

export interface FakeUser {
  id: string;
  [field: string]: unknown;
  usageLocation: string | null;
  licenseAssignmentStates: FakeLicenseState[];
}

export interface FakeSku {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
  servicePlans: { servicePlanId: string; servicePlanName: string }[];
  [k: string]: unknown;
}

export interface FakeTenant {
  id: string;
  users: Map<string, FakeUser>;
  skus: FakeSku[];
  /** Users changed since each delta round, in change order (ids; deleted ones in `removed`). */
  changeLog: { userId: string; removed?: boolean }[];
  /** How often each user's licenses were changed by assignLicense (the "exactly once" check). */
  applied: Map<string, number>;
}

export class FakeLicenseError extends Error {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** A uniqueness-style rule Graph enforces that product-rules.json knows nothing of: its text is not in our catalogue. */
export const UNCATALOGUED_MESSAGE = 'License assignment failed because the user has a proxy address that conflicts with another object in the tenant.';

const rules = readJson('product-rules.json') as {
  mutuallyExclusive: { servicePlans: { servicePlanId: string }[]; enforce?: boolean }[];
  dependencies: { dependent: { servicePlanId?: string }; requiresAnyServicePlan?: { servicePlanId: string }[] }[];
};

export function seedTenant(key: string, extraUsers = 0): FakeTenant {
  const org = readJson('tenants', key, 'organization.json').value[0];
  const now = new Date().toISOString();
  const users = new Map<string, FakeUser>();
  for (const u of readJson('tenants', key, 'users.json').value) {
    const { assignedLicenses, ...rest } = u;
    users.set(u.id, {
      ...rest,
      licenseAssignmentStates: (assignedLicenses as { skuId: string; disabledPlans: string[] }[]).map((l) => ({
        skuId: l.skuId, disabledPlans: l.disabledPlans, assignedByGroup: null, state: 'Active', error: 'None', lastUpdatedDateTime: now,
      })),
    });
  }
  for (let i = 0; i < extraUsers; i++) {
    const id = `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
    users.set(id, {
      id, displayName: `Load User ${i + 1}`, userPrincipalName: `load.user${i + 1}@${key}.onmicrosoft.com`,
      usageLocation: 'US', accountEnabled: true, licenseAssignmentStates: [],
    });
  }
  const skus = readJson('tenants', key, 'subscribedSkus.json').value as FakeSku[];
  return { id: org.id, users, skus, changeLog: [], applied: new Map() };
}

/** The user as Graph shows it: assignedLicenses is every license, direct or from a group, once per SKU. */
export function asGraphUser(u: FakeUser): Record<string, unknown> {
  const assigned = new Map<string, { skuId: string; disabledPlans: string[] }>();
  for (const s of u.licenseAssignmentStates) if (!assigned.has(s.skuId)) assigned.set(s.skuId, { skuId: s.skuId, disabledPlans: s.disabledPlans });
  return { ...u, assignedLicenses: [...assigned.values()] };
}

export function holders(t: FakeTenant, skuId: string): number {
  return holderCounts(t).get(skuId) ?? 0;
}

/** Users holding each product (directly or from a group), in one pass over the tenant. */
function holderCounts(t: FakeTenant): Map<string, number> {
  const counts = new Map<string, number>();
  for (const u of t.users.values()) {
    const states = u.licenseAssignmentStates;
    for (let i = 0; i < states.length; i++) {
      const skuId = states[i].skuId;
      // A product held directly and from a group is one seat.
      let seen = false;
      for (let j = 0; j < i && !seen; j++) seen = states[j].skuId === skuId;
      if (!seen) counts.set(skuId, (counts.get(skuId) ?? 0) + 1);
    }
  }
  return counts;
}

export interface AssignBody {
  addLicenses?: { skuId: string; disabledPlans?: string[] }[];
  removeLicenses?: string[];
}

/** Applies one assignLicense, all or nothing, or throws the error Graph gives. */
export function assignLicense(t: FakeTenant, userId: string, body: AssignBody, uncatalogued: Set<string>): FakeUser {
  const user = t.users.get(userId) ?? [...t.users.values()].find((u) => u.userPrincipalName === userId);
  if (!user) {
    throw new FakeLicenseError(404, 'Request_ResourceNotFound', `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
  }
  const missing = (['addLicenses', 'removeLicenses'] as const).filter((k) => !Array.isArray(body?.[k]));
  if (missing.length) {
    throw new FakeLicenseError(400, 'Request_BadRequest', `One or more parameters of the function import 'assignLicense' are missing from the request payload. The missing parameters are: ${missing.join(', ')}.`);
  }
  const adds = body.addLicenses!;
  const removes = body.removeLicenses!.map((s) => s.toLowerCase());
  for (const skuId of [...adds.map((a) => a.skuId.toLowerCase()), ...removes]) {
    if (!t.skus.some((s) => s.skuId === skuId)) {
      throw new FakeLicenseError(400, 'Request_BadRequest', `License ${skuId} does not correspond to a valid company License.`);
    }
  }
  for (const skuId of removes) {
    const states = user.licenseAssignmentStates.filter((s) => s.skuId === skuId);
    if (states.length && states.every((s) => s.assignedByGroup)) {
      throw new FakeLicenseError(400, 'Request_BadRequest', 'User license is inherited from group membership and cannot be removed directly from the user.');
    }
  }
  if (adds.length && !user.usageLocation) {
    throw new FakeLicenseError(400, 'Request_BadRequest', 'License assignment cannot be done for user with invalid usage location.');
  }
  // Counted afresh on every call (tests change users directly), once for all products: a 10,000-user
  // tenant is scanned once per write, not once per product.
  const counts = holderCounts(t);
  for (const a of adds) {
    const skuId = a.skuId.toLowerCase();
    if (uncatalogued.has(skuId)) throw new FakeLicenseError(400, 'Request_BadRequest', UNCATALOGUED_MESSAGE);
    const sku = t.skus.find((s) => s.skuId === skuId)!;
    const holdsAlready = user.licenseAssignmentStates.some((s) => s.skuId === skuId);
    if (!holdsAlready && (counts.get(skuId) ?? 0) >= sku.prepaidUnits.enabled) {
      throw new FakeLicenseError(400, 'Request_BadRequest', `Subscription with SKU ${skuId} does not have any available licenses.`);
    }
  }
  const now = new Date().toISOString();
  const next: FakeLicenseState[] = user.licenseAssignmentStates
    .filter((s) => s.assignedByGroup || (!removes.includes(s.skuId) && !adds.some((a) => a.skuId.toLowerCase() === s.skuId)))
    .concat(adds.map((a) => ({ skuId: a.skuId.toLowerCase(), disabledPlans: a.disabledPlans ?? [], assignedByGroup: null, state: 'Active' as const, error: 'None' as const, lastUpdatedDateTime: now })));
  checkPlans(t, next);
  const had = new Set(user.licenseAssignmentStates.map((s) => s.skuId));
  const has = new Set(next.map((s) => s.skuId));
  user.licenseAssignmentStates = next;
  // Only this user changed: the counts of before, moved by what it gained and lost.
  for (const skuId of had) if (!has.has(skuId)) counts.set(skuId, (counts.get(skuId) ?? 0) - 1);
  for (const skuId of has) if (!had.has(skuId)) counts.set(skuId, (counts.get(skuId) ?? 0) + 1);
  for (const s of t.skus) s.consumedUnits = counts.get(s.skuId) ?? 0;
  t.applied.set(user.id, (t.applied.get(user.id) ?? 0) + 1);
  t.changeLog.push({ userId: user.id });
  return user;
}

function checkPlans(t: FakeTenant, states: FakeLicenseState[]): void {
  const enabled = new Set<string>();
  for (const s of states) {
    const sku = t.skus.find((k) => k.skuId === s.skuId);
    for (const p of sku?.servicePlans ?? []) if (!s.disabledPlans.includes(p.servicePlanId)) enabled.add(p.servicePlanId);
  }
  for (const pair of rules.mutuallyExclusive) {
    const ids = pair.servicePlans.map((p) => p.servicePlanId).filter((id) => enabled.has(id));
    if (pair.enforce !== false && ids.length >= 2) {
      throw new FakeLicenseError(400, 'Request_BadRequest', `License assignment failed because service plans ${ids.join(',')} are mutually exclusive.`);
    }
  }
  for (const d of rules.dependencies) {
    const dependent = d.dependent.servicePlanId;
    const needs = d.requiresAnyServicePlan?.map((p) => p.servicePlanId) ?? [];
    if (dependent && needs.length && enabled.has(dependent) && !needs.some((n) => enabled.has(n))) {
      throw new FakeLicenseError(400, 'Request_BadRequest', `License assignment failed because service plan ${dependent} depends on the service plan(s) ${needs.join(',')}.`);
    }
  }
}
