// What rules.ts and change-request.ts need of an undo request: per user the licenses to go back to
// and those the undone change left, and the checks zod cannot make. (undo.ts builds undo requests.)
import type { AssignedLicense, ParsedChangeRequest } from './model';

/** A license list in one canonical form: by skuId, plans sorted. */
export function canonical(licenses: AssignedLicense[]): AssignedLicense[] {
  return [...licenses]
    .map((l) => ({ skuId: l.skuId, disabledPlans: [...new Set(l.disabledPlans ?? [])].sort() }))
    .sort((a, b) => (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0));
}

export const keyOf = (licenses: AssignedLicense[]) => JSON.stringify(canonical(licenses));

/** Whether two license lists are the same products with the same plans switched off. */
export function sameLicenses(a: AssignedLicense[], b: AssignedLicense[]): boolean {
  return keyOf(a) === keyOf(b);
}

/** What zod cannot check of an undo: one pair per user, each index in range, no user twice. */
export function undoProblem(req: ParsedChangeRequest): string | undefined {
  const undo = req.undo;
  if (req.mode !== 'undo') return undo ? 'undo: only with mode "undo"' : undefined;
  if (!undo) return 'undo: required with mode "undo"';
  if (undo.users.length !== req.userIds.length) return 'undo.users: one entry per user id';
  if (new Set(req.userIds).size !== req.userIds.length) return 'userIds: a user twice in an undo';
  if (undo.users.some(([b, a]) => b >= undo.licenseSets.length || a >= undo.licenseSets.length)) return 'undo.users: index out of range';
  return undefined;
}

const targetsCache = new WeakMap<object, Map<string, { before: AssignedLicense[]; after: AssignedLicense[] }>>();

/** The licenses a user goes back to, and those the undone change left them with. */
export function undoTargetOf(req: ParsedChangeRequest, userId: string): { before: AssignedLicense[]; after: AssignedLicense[] } | undefined {
  const undo = req.undo;
  if (!undo) return undefined;
  let targets = targetsCache.get(undo);
  if (!targets) {
    targets = new Map(req.userIds.map((id, i) => [id, { before: undo.licenseSets[undo.users[i][0]], after: undo.licenseSets[undo.users[i][1]] }]));
    targetsCache.set(undo, targets);
  }
  return targets.get(userId);
}
