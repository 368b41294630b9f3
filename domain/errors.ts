// Rule violations are values with stable codes (named after Graph's licenseAssignmentState errors and
// Entra group licensing) and structured parameters: names, numbers and lists, never sentences. cards/
// turns them into words, in English and German (cards/messages/*.ts).

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
  /** Undo: the user's licenses are no longer what the undone change left. */
  | 'changedSinceUndoneChange'
  /** The user holds the product only through a group: it cannot be removed from the user directly. */
  | 'inheritedFromGroup'
  /** The app may not change licenses in this tenant (Graph 403). */
  | 'permissionMissing'
  /** Graph refused with a reason License Desk does not know: `message` is Graph's text, verbatim. */
  | 'other';

/** Why a product cannot be given to a user (Graph: appliesTo, capabilityStatus). */
export type NotAssignableWhy = 'appliesToCompany' | 'suspended' | 'lockedOut' | 'deleted';

/** A parameter: a name or id, a count, or a list of names (the cards join it in their language). */
export type ErrorParam = string | number | string[];

export interface LicenseError {
  code: LicenseErrorCode;
  /** The product the error is about (skuId), when there is one. */
  skuId?: string;
  /** Values the message is built from, in each language. */
  params: Record<string, ErrorParam>;
}

export function licenseError(code: LicenseErrorCode, params: Record<string, ErrorParam>, skuId?: string): LicenseError {
  return { code, skuId, params };
}

/** What is wrong with a request as a whole; the cards say it in words. */
export type RequestProblem =
  | 'noSuchCustomer'
  | 'noSuchOperation'
  | 'invalidChange'
  | 'tooManyUsers'
  | 'nothingToRemove'
  | 'nothingToChange'
  | 'assignedAndRemoved'
  | 'nothingToUndo'
  | 'undoWhileRunning'
  | 'undoTooLarge';

/** A request the domain refuses as a whole (4xx); `details` keeps zod's findings verbatim. */
export class RequestError extends Error {
  readonly code = 'badRequest';
  constructor(
    readonly problem: RequestProblem,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${problem} ${JSON.stringify(params)}`);
  }
}
