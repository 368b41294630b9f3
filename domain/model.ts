// The licensing model. Field names are Microsoft Graph's own (v1.0), so a real Graph export loads as is.
import { z } from 'zod';

const guidLike = z.string().min(1).max(64);

export const assignedLicenseSchema = z.object({
  skuId: guidLike,
  disabledPlans: z.array(guidLike).default([]),
});
export type AssignedLicense = z.infer<typeof assignedLicenseSchema>;

export const licenseAssignmentStateSchema = z.object({
  skuId: guidLike,
  disabledPlans: z.array(guidLike).default([]),
  assignedByGroup: z.string().nullish(),
});
export type LicenseAssignmentState = z.infer<typeof licenseAssignmentStateSchema>;

/** Products the user holds only through groups (no direct assignment): never removable from the user. */
export function inheritedOnly(user: Pick<DirectoryUser, 'licenseAssignmentStates'>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const direct = new Set<string>();
  for (const s of user.licenseAssignmentStates ?? []) {
    if (!s.assignedByGroup) direct.add(s.skuId.toLowerCase());
    else groups.set(s.skuId.toLowerCase(), [...(groups.get(s.skuId.toLowerCase()) ?? []), s.assignedByGroup]);
  }
  for (const skuId of direct) groups.delete(skuId);
  return groups;
}

/** A directory user, as `GET /users?$select=…,assignedLicenses` returns it. */
export const directoryUserSchema = z.object({
  id: guidLike,
  displayName: z.string().min(1),
  givenName: z.string().nullish(),
  surname: z.string().nullish(),
  userPrincipalName: z.string().min(3).includes('@'),
  mail: z.string().nullish(),
  jobTitle: z.string().nullish(),
  department: z.string().nullish(),
  usageLocation: z.string().length(2).nullable(),
  country: z.string().nullish(),
  accountEnabled: z.boolean().default(true),
  assignedLicenses: z.array(assignedLicenseSchema).default([]),
  /**
   * Where each license comes from (Graph's licenseAssignmentStates, only the fields License Desk uses):
   * `assignedByGroup` set = inherited from that group, which cannot be removed from the user directly.
   * Absent when the source did not say (an export): every license then counts as direct.
   */
  licenseAssignmentStates: z.array(licenseAssignmentStateSchema).optional(),
});
export type DirectoryUser = z.infer<typeof directoryUserSchema>;

/** Graph's user fields, from the schema: a field added there is kept by every write. */
export const directoryUserFields = Object.keys(directoryUserSchema.shape) as (keyof DirectoryUser)[];

/** Just the Graph fields of a user record (drops what a store adds around them). */
export function pickDirectoryUser(record: DirectoryUser): DirectoryUser {
  return Object.fromEntries(directoryUserFields.filter((f) => f in record).map((f) => [f, record[f]])) as DirectoryUser;
}

export const servicePlanSchema = z.object({
  servicePlanId: guidLike,
  servicePlanName: z.string().min(1),
  provisioningStatus: z.string().optional(),
  appliesTo: z.string().optional(),
});
export type ServicePlan = z.infer<typeof servicePlanSchema>;

/** A product the customer bought, as `GET /subscribedSkus` returns it. */
export const subscribedSkuSchema = z.object({
  id: z.string().optional(),
  skuId: guidLike,
  skuPartNumber: z.string().min(1),
  appliesTo: z.enum(['User', 'Company']),
  capabilityStatus: z.enum(['Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut']),
  consumedUnits: z.number().int().min(0),
  prepaidUnits: z.object({
    enabled: z.number().int().min(0),
    warning: z.number().int().min(0).default(0),
    suspended: z.number().int().min(0).default(0),
    lockedOut: z.number().int().min(0).default(0),
  }),
  servicePlans: z.array(servicePlanSchema),
});
export type SubscribedSku = z.infer<typeof subscribedSkuSchema>;

export const organizationSchema = z.object({
  id: guidLike,
  displayName: z.string().min(1),
  countryLetterCode: z.string().nullish(),
  verifiedDomains: z
    .array(z.object({ name: z.string(), isDefault: z.boolean().optional(), isInitial: z.boolean().optional() }))
    .default([]),
});
export type Organization = z.infer<typeof organizationSchema>;

/** A customer tenant the partner manages. `key` is the partner's short name for it. */
export const customerSchema = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
  displayName: z.string().min(1),
  tenantId: guidLike,
  defaultDomain: z.string().min(1),
  countryLetterCode: z.string().nullish(),
});
export type Customer = z.infer<typeof customerSchema>;

const planRefSchema = z.object({ servicePlanName: z.string(), servicePlanId: guidLike });

/** What Microsoft enforces but Graph does not describe (our own file format, see data/demo/README.md). */
export const productRulesSchema = z.object({
  version: z.literal(1),
  mutuallyExclusive: z.array(
    z.object({
      id: z.string(),
      servicePlans: z.tuple([planRefSchema, planRefSchema]),
      enforce: z.boolean().default(true),
    }),
  ),
  dependencies: z.array(
    z.object({
      id: z.string(),
      dependent: z.object({
        skuPartNumber: z.string(),
        servicePlanName: z.string().optional(),
        servicePlanId: guidLike.optional(),
      }),
      requiresAnyServicePlan: z.array(planRefSchema).optional(),
      requiresAnySku: z.array(z.string()).optional(),
      checkOn: z.array(z.enum(['assign', 'revoke'])),
    }),
  ),
  locationRestrictions: z.array(
    z.object({
      id: z.string(),
      skuPartNumber: z.string(),
      allowedUsageLocations: z.array(z.string().length(2)),
    }),
  ),
  displayNames: z.record(z.string(), z.string()),
  aliases: z.record(z.string(), z.array(z.string())).default({}),
});
export type ProductRules = z.infer<typeof productRulesSchema>;

export const roleSchema = z.object({ canView: z.boolean(), canAssign: z.boolean(), canRevoke: z.boolean() });
export type Role = z.infer<typeof roleSchema>;

export const partnerAdminSchema = z.object({
  displayName: z.string(),
  userPrincipalName: z.string(),
  aadObjectId: z.string().min(1),
  playgroundUserId: z.string().optional(),
  role: z.string(),
  customers: z.array(z.string()).min(1),
});
export type PartnerAdmin = z.infer<typeof partnerAdminSchema>;

const partnerFields = {
  partner: z.object({
    displayName: z.string(),
    tenantId: guidLike,
    localDev: z.object({ agentsPlaygroundTenantId: z.string() }).partial().optional(),
  }),
  roles: z.record(z.string(), roleSchema),
  admins: z.array(partnerAdminSchema),
};
const everyRoleKnown = (p: { roles: Record<string, Role>; admins: PartnerAdmin[] }, ctx: z.RefinementCtx) => {
  p.admins.forEach((a, i) => {
    if (!p.roles[a.role]) ctx.addIssue({ code: 'custom', path: ['admins', i, 'role'], message: `unknown role "${a.role}"` });
  });
};
/** The partner, its admins and roles (partner.json without its customers). */
export const partnerSettingsSchema = z.object(partnerFields).superRefine(everyRoleKnown);
export type PartnerSettings = z.infer<typeof partnerSettingsSchema>;
/** partner.json as a whole. */
export const partnerSchema = z
  .object({ ...partnerFields, customers: z.array(customerSchema.extend({ fixtures: z.string().optional() })) })
  .superRefine(everyRoleKnown);
export type Partner = z.infer<typeof partnerSchema>;

export type ChangeMode = 'add' | 'replace' | 'remove' | 'undo';

/** A bulk license change: what the admin asked for, before any rule is checked. */
/**
 * A product to assign. `disabledPlans` switches plans off for everyone who gets or keeps it; left out,
 * new holders get every plan and existing holders keep the plans they have (Graph would re-enable them).
 */
export const licenseToAssignSchema = z.object({ skuId: guidLike, disabledPlans: z.array(guidLike).optional() });
export type LicenseToAssign = z.infer<typeof licenseToAssignSchema>;

/**
 * The most users one change may name: a customer of 100,000 in one go. Up to 20,000 the request's ids
 * are stored inside its operation; beyond, in documents of their own (Cosmos items are ≤ 2 MB).
 */
export const MAX_USERS_PER_CHANGE = 100_000;

/**
 * An undo: per user, the licenses to go back to and those the undone change left; a user is put back
 * only while they still hold exactly what it left. Kept compact (the request is stored with its
 * operation): distinct license lists once, and per user of `userIds`, in order, two indexes into them.
 */
export const undoTargetsSchema = z.object({
  /** The change undone, and when it was made (for the history). */
  operationId: z.string().min(1).max(80),
  createdAt: z.string().max(40),
  licenseSets: z.array(z.array(assignedLicenseSchema)),
  /** [licenses before the undone change, licenses it left], as indexes into licenseSets. */
  users: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])),
});
export type UndoTargets = z.infer<typeof undoTargetsSchema>;

export const licenseChangeRequestSchema = z.object({
  customerKey: z.string().min(1),
  userIds: z.array(guidLike).min(1).max(MAX_USERS_PER_CHANGE),
  licensesToAssign: z.array(licenseToAssignSchema).default([]),
  licensesToRemove: z.array(guidLike).default([]),
  mode: z.enum(['add', 'replace', 'remove', 'undo']).default('add'),
  /** Mode "undo" only: what each user goes back to. licensesToAssign/licensesToRemove then only summarize it. */
  undo: undoTargetsSchema.optional(),
  requestedBy: z.object({ aadObjectId: z.string().min(1), userId: z.string().optional(), displayName: z.string().default('') }),
  idempotencyKey: z.string().min(8).max(200),
});
export type LicenseChangeRequest = z.input<typeof licenseChangeRequestSchema>;
export type ParsedChangeRequest = z.output<typeof licenseChangeRequestSchema>;

/** Seats an admin may still hand out. Warning units (grace period) and suspended/locked-out units never count. */
export function availableUnits(sku: Pick<SubscribedSku, 'prepaidUnits' | 'consumedUnits'>): number {
  return Math.max(0, sku.prepaidUnits.enabled - sku.consumedUnits);
}

/** Whether a product may be offered to and assigned to users at all. */
export function isOfferedToUsers(sku: Pick<SubscribedSku, 'appliesTo' | 'capabilityStatus'>): boolean {
  return sku.appliesTo === 'User' && sku.capabilityStatus !== 'Deleted';
}
