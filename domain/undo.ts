// Undoing a change: a new change request (mode "undo") that puts each user the change succeeded for
// back to the licenses they had before it — taken from the operation's journal, which records per user
// what they had and what they were left with, whatever the directory (Cosmos or Graph). The rules,
// seats, preview, idempotency, progress and result are then those of any change (rules.ts decides
// per user; a user changed since is not touched and gets `changedSinceUndoneChange`).
import { RequestError } from './errors';
import type { AssignedLicense, LicenseChangeRequest, UndoTargets } from './model';
import { canonical, keyOf } from './undo-targets';
import type { UserChangePlan } from './rules';
import type { OperationDoc } from './store/operations';

/** Undo requests are stored with their operation: Cosmos items are at most 2 MB, keep a margin. */
export const MAX_UNDO_REQUEST_BYTES = 1_500_000;

/**
 * The undo of a completed operation, for the users it changed: back to `before`, if still at `after`.
 * licensesToAssign/licensesToRemove name the products involved (what permissions and history read).
 */
export function undoRequestFor(
  op: OperationDoc,
  results: UserChangePlan[],
  requestedBy: LicenseChangeRequest['requestedBy'],
  idempotencyKey: string,
): LicenseChangeRequest {
  if (op.status !== 'completed') throw new RequestError('undoWhileRunning', { operationId: op.id });
  const changed = results.filter((r) => r.status === 'succeeded');
  if (!changed.length) throw new RequestError('nothingToUndo', { operationId: op.id });
  const sets: AssignedLicense[][] = [];
  const index = new Map<string, number>();
  const indexOf = (licenses: AssignedLicense[]) => {
    const key = keyOf(licenses);
    if (!index.has(key)) {
      index.set(key, sets.length);
      sets.push(canonical(licenses));
    }
    return index.get(key)!;
  };
  const reAssigned = new Set<string>();
  const removed = new Set<string>();
  for (const r of changed) {
    r.removed.forEach((s) => reAssigned.add(s));
    r.updated.forEach((s) => reAssigned.add(s));
    r.added.forEach((s) => removed.add(s));
  }
  const undo: UndoTargets = {
    operationId: op.id,
    createdAt: op.createdAt,
    licenseSets: sets,
    users: changed.map((r) => [indexOf(r.before), indexOf(r.after)] as [number, number]),
  };
  const request: LicenseChangeRequest = {
    customerKey: op.customerId,
    userIds: changed.map((r) => r.userId),
    licensesToAssign: [...reAssigned].map((skuId) => ({ skuId })),
    licensesToRemove: [...removed].filter((s) => !reAssigned.has(s)),
    mode: 'undo',
    undo,
    requestedBy,
    idempotencyKey,
  };
  if (Buffer.byteLength(JSON.stringify(request)) > MAX_UNDO_REQUEST_BYTES) throw new RequestError('undoTooLarge', { users: changed.length });
  return request;
}

/** The same undo for some of its users only (Retry failed of an undo). */
export function restrictUndo<R extends Pick<LicenseChangeRequest, 'userIds' | 'undo'>>(req: R, userIds: string[]): R {
  if (!req.undo) return { ...req, userIds };
  const position = new Map(req.userIds.map((id, i) => [id, i]));
  const kept = userIds.filter((id) => position.has(id));
  return { ...req, userIds: kept, undo: { ...req.undo, users: kept.map((id) => req.undo!.users[position.get(id)!]) } };
}

