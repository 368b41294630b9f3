// A license change request as it comes in: checked (zod, then what zod cannot say), and what it needs
// the requester to be allowed to do.
import type { Actor, Permission } from './access';
import { RequestError } from './errors';
import { licenseChangeRequestSchema, MAX_USERS_PER_CHANGE, type LicenseChangeRequest, type ParsedChangeRequest } from './model';

export { RequestError };

/** The request checked and normalized (user ids once each); a bad one throws RequestError. */
export function parseChangeRequest(input: LicenseChangeRequest): ParsedChangeRequest {
  const parsed = licenseChangeRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    // The schema caps the selection; say so in its own words rather than as a zod finding.
    if (Array.isArray(input?.userIds) && input.userIds.length > MAX_USERS_PER_CHANGE) throw new RequestError('tooManyUsers', { max: MAX_USERS_PER_CHANGE });
    throw new RequestError('invalidChange', { details: issues });
  }
  const req = parsed.data;
  if (req.mode === 'remove' && !req.licensesToRemove.length) throw new RequestError('nothingToRemove');
  if (req.mode === 'add' && !req.licensesToAssign.length && !req.licensesToRemove.length) throw new RequestError('nothingToChange');
  const overlap = req.licensesToAssign.find((l) => req.licensesToRemove.includes(l.skuId));
  if (overlap) throw new RequestError('assignedAndRemoved', { skuId: overlap.skuId });
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
