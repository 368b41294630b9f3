// Rule violations are values with stable codes (named after Graph's licenseAssignmentState errors and
// Entra group licensing), so the bot can localize and cards can group them without matching strings.

export type LicenseErrorCode =
  | 'countViolation'
  | 'usageLocationMissing'
  | 'prohibitedInUsageLocation'
  | 'mutuallyExclusiveViolation'
  | 'dependencyViolation'
  | 'unknownSku'
  | 'notAssignable'
  | 'invalidDisabledPlans'
  | 'userNotFound'
  | 'concurrentChange'
  /** The user holds the product only through a group: it cannot be removed from the user directly. */
  | 'inheritedFromGroup'
  /** The app may not change licenses in this tenant (Graph 403). */
  | 'permissionMissing'
  /** Graph refused with a reason License Desk does not know: `message` is Graph's text, verbatim. */
  | 'other';

export interface LicenseError {
  code: LicenseErrorCode;
  /** The product the error is about (skuId), when there is one. */
  skuId?: string;
  /** Values the message is built from, so another language can build its own. */
  params: Record<string, string | number>;
  /** One line: what is wrong. */
  reason: string;
  /** One line: what to change to fix it. */
  fix: string;
}

type ErrorText = (p: Record<string, string | number>) => { reason: string; fix: string };

/** English texts; the bot layer has the German ones keyed by the same codes and params. */
export const errorTexts: Record<LicenseErrorCode, ErrorText> = {
  countViolation: (p) => ({
    reason: `Not enough ${p.product} licenses: ${p.available} available, ${p.needed} needed.`,
    fix: `Buy more ${p.product} licenses, or remove ${p.product} from users who no longer need it.`,
  }),
  usageLocationMissing: () => ({
    reason: 'The user has no usage location, so no license can be assigned.',
    fix: "Set the user's usage location (country) in the Microsoft 365 admin center, then retry.",
  }),
  prohibitedInUsageLocation: (p) => ({
    reason: `${p.product} is not sold in the user's usage location (${p.usageLocation}).`,
    fix: `Assign ${p.product} only to users whose usage location is one of ${p.allowed}, or correct the user's usage location.`,
  }),
  mutuallyExclusiveViolation: (p) => ({
    reason: `Service plans ${p.planA} (${p.productA}) and ${p.planB} (${p.productB}) cannot be enabled together.`,
    fix: `Switch off ${p.planB} in ${p.productB} (View service plans), or remove ${p.productB}.`,
  }),
  dependencyViolation: (p) =>
    p.direction === 'needs'
      ? {
          reason: `${p.product} needs ${p.requirement}, which the user does not have.`,
          fix: `Assign ${p.requirement} first, or together with ${p.product}.`,
        }
      : {
          reason: `${p.dependent} still depends on ${p.requirement}, which this change takes away.`,
          fix: `Remove ${p.dependent} first, or in the same change.`,
        },
  unknownSku: (p) => ({
    reason: `The customer has no product with id ${p.skuId}.`,
    fix: 'Pick a product from the customer\'s list ("licenses").',
  }),
  notAssignable: (p) => ({
    reason: `${p.product} cannot be assigned to users (${p.why}).`,
    fix:
      p.why === 'applies to the whole company'
        ? `${p.product} is tenant-wide; nothing to assign.`
        : `Renew or reactivate the ${p.product} subscription, then retry.`,
  }),
  invalidDisabledPlans: (p) => ({
    reason: `Service plan ${p.plan} is not part of ${p.product}.`,
    fix: `Choose service plans to switch off from those of ${p.product} only.`,
  }),
  userNotFound: (p) => ({
    reason: `No user with id ${p.userId} in this customer.`,
    fix: 'Pick the user again from the list; they may have been deleted.',
  }),
  concurrentChange: () => ({
    reason: "The user's licenses were changed by someone else while this change was being saved.",
    fix: 'Retry the failed users; the new state will be checked again.',
  }),
  inheritedFromGroup: (p) => ({
    reason: `${p.product} comes to this user through a group (${p.groups}), so it cannot be removed from the user directly.`,
    fix: `Remove the user from that group, or remove ${p.product} from the group, in the Microsoft 365 admin center or Entra ID.`,
  }),
  permissionMissing: () => ({
    reason: "License Desk's app may not change licenses in this customer's tenant.",
    fix: 'Grant the app LicenseAssignment.ReadWrite.All with admin consent, or give it the License Administrator role through GDAP.',
  }),
  other: (p) => ({
    reason: `Microsoft 365 refused this change: ${p.message}`,
    fix: 'Fix what Microsoft 365 names for this user in the admin center, then retry the failed users.',
  }),
};

export function licenseError(code: LicenseErrorCode, params: Record<string, string | number>, skuId?: string): LicenseError {
  return { code, skuId, params, ...errorTexts[code](params) };
}
