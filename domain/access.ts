// Who may do what, from partner.json's admins and roles. Checked by the service on every call, so no
// card or command can get around it.
import type { Customer, PartnerAdmin, PartnerSettings, Role } from './model';

export type Permission = 'view' | 'assign' | 'revoke';

export interface Actor {
  /** Entra object id of the person acting (Teams: from.aadObjectId). */
  aadObjectId?: string;
  /** Channel user id (Teams: from.id); matched only in local runs, for the Agents Playground's built-in users. */
  userId?: string;
  displayName?: string;
  /** The tenant the person signed in to; when given, it must be the partner's own. */
  tenantId?: string;
}

/** How a change records who asked for it (and who is authorized again when it is applied). */
export function requesterOf(actor: Actor): { aadObjectId: string; userId?: string; displayName: string } {
  return { aadObjectId: actor.aadObjectId ?? actor.userId ?? 'unknown', userId: actor.userId, displayName: actor.displayName ?? '' };
}

/** Refused by who the person is; the cards say why in words (reasonCode + params), never `message`. */
export class AccessDeniedError extends Error {
  readonly code = 'accessDenied';
  constructor(
    readonly reasonCode: 'unknownAdmin' | 'customerOutOfScope' | 'roleCannot',
    readonly params: Record<string, string> = {},
  ) {
    super(`${reasonCode} ${JSON.stringify(params)}`);
  }
}

export function findAdmin(partner: PartnerSettings, actor: Actor): PartnerAdmin | undefined {
  // An admin is a person of the partner's tenant: the same object id from a customer tenant is not them.
  if (actor.tenantId && actor.tenantId.toLowerCase() !== partner.partner.tenantId.toLowerCase()) return undefined;
  // Ids are compared as strings: the playground's ids are not valid GUIDs.
  const oid = actor.aadObjectId?.toLowerCase();
  return partner.admins.find(
    (a) => (oid && a.aadObjectId.toLowerCase() === oid) || (!!actor.userId && !!a.playgroundUserId && a.playgroundUserId === actor.userId),
  );
}

export function customersInScope(admin: PartnerAdmin, customers: Customer[]): Customer[] {
  return admin.customers.includes('*') ? customers : customers.filter((c) => admin.customers.includes(c.key));
}

export function roleOf(partner: PartnerSettings, admin: PartnerAdmin): Role {
  return partner.roles[admin.role];
}

const permissionFlag: Record<Permission, keyof Role> = { view: 'canView', assign: 'canAssign', revoke: 'canRevoke' };

/** Throws AccessDeniedError unless the actor may do `permission` on `customerKey`. */
export function authorize(partner: PartnerSettings, actor: Actor, customerKey: string, permission: Permission): PartnerAdmin {
  const admin = findAdmin(partner, actor);
  if (!admin) throw new AccessDeniedError('unknownAdmin', { partner: partner.partner.displayName });
  if (!admin.customers.includes('*') && !admin.customers.includes(customerKey)) {
    throw new AccessDeniedError('customerOutOfScope', { admin: admin.displayName, customer: customerKey });
  }
  if (!roleOf(partner, admin)?.[permissionFlag[permission]]) {
    throw new AccessDeniedError('roleCannot', { admin: admin.displayName, role: admin.role, permission });
  }
  return admin;
}
