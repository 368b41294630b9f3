// A license change request as it comes in: checked (zod, then what zod cannot say), and what it needs
// the requester to be allowed to do.
import type { Actor, Permission } from './access';
import { licenseChangeRequestSchema, type LicenseChangeRequest, type ParsedChangeRequest } from './model';

/** Why a request was refused, for cards/ to word; `message` stays a developer's description (logs). */
export type RequestProblem = 'invalidRequest' | 'nothingToRemove' | 'nothingToChange' | 'assignedAndRemoved' | 'unknownCustomer' | 'unknownOperation';

export class RequestError extends Error {
  readonly code = 'badRequest';
  constructor(
    message: string,
    readonly problem: RequestProblem = 'invalidRequest',
    readonly params: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The request checked and normalized (user ids once each); a bad one throws RequestError. */
export function parseChangeRequest(input: LicenseChangeRequest): ParsedChangeRequest {
  const parsed = licenseChangeRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new RequestError(`Invalid license change: ${issues}`, 'invalidRequest', { issues });
  }
  const req = parsed.data;
  if (req.mode === 'remove' && !req.licensesToRemove.length) throw new RequestError('Nothing to remove: name at least one product.', 'nothingToRemove');
  if (req.mode === 'add' && !req.licensesToAssign.length && !req.licensesToRemove.length) throw new RequestError('Nothing to change: name at least one product.', 'nothingToChange');
  const overlap = req.licensesToAssign.find((l) => req.licensesToRemove.includes(l.skuId));
  if (overlap) throw new RequestError(`Product ${overlap.skuId} is both assigned and removed.`, 'assignedAndRemoved', { skuId: overlap.skuId });
  return { ...req, userIds: [...new Set(req.userIds)] };
}

/** What the requester must be allowed to do for this change. */
export function permissionsFor(req: ParsedChangeRequest): Permission[] {
  const perms: Permission[] = ['view'];
  if (req.licensesToAssign.length) perms.push('assign');
  if (req.licensesToRemove.length || req.mode === 'replace') perms.push('revoke');
  return perms;
}

/** The person a request was made by, as an actor to authorize. */
export function requesterActor(req: ParsedChangeRequest): Actor {
  return { aadObjectId: req.requestedBy.aadObjectId, userId: req.requestedBy.userId, displayName: req.requestedBy.displayName };
}
