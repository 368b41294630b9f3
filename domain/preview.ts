// Predicting a change: the rules per user, then seats given in request order. Apply runs the same
// functions on the same data chunk by chunk, so the preview predicts it exactly.
import type { Catalog } from './catalog';
import type { DirectoryUser, ParsedChangeRequest } from './model';
import { availableUnits } from './model';
import { allocateSeats, evaluateUserChange, seatsAskedFor, type UserChangePlan } from './rules';
import type { OutcomeCounts, SeatDemand } from './store/operations';

export interface Preview {
  customerKey: string;
  results: UserChangePlan[];
  counts: OutcomeCounts;
  seatDemand: SeatDemand[];
  /**
   * Users whose licenses were changed outside License Desk (e.g. in the admin center) since it last read
   * them: the prediction is on what they hold now. 0 for a directory that is its own source.
   */
  changedOutside?: number;
}

export const emptyCounts = (): OutcomeCounts => ({ succeeded: 0, failed: 0, noChange: 0 });

export function countOutcomes(results: UserChangePlan[]): OutcomeCounts {
  const counts = emptyCounts();
  for (const r of results) counts[r.status]++;
  return counts;
}

/** The whole request's demand per product, as allocateSeats words a shortage (a chunk sees only part). */
export function demandMap(seatDemand: SeatDemand[]) {
  return new Map(seatDemand.map((d) => [d.skuId, { available: d.available, needed: d.needed }]));
}

/** The predicted outcome per user and the seat demand per product; reads nothing, writes nothing. */
export function predict(req: ParsedChangeRequest, catalog: Catalog, users: Map<string, DirectoryUser>): Preview {
  const evaluated = req.userIds.map((id) => evaluateUserChange(users.get(id), id, req, catalog));
  const changedOutside = req.userIds.filter((id) => (users.get(id) as { changedOutside?: boolean } | undefined)?.changedOutside).length;
  return predictEvaluated(req, catalog, evaluated, changedOutside);
}

/**
 * The same prediction with the users read `partSize` at a time and let go after their rules ran, so a
 * change of 100,000 users never holds 100,000 user documents at once (only their per-user plans).
 */
export async function predictInParts(req: ParsedChangeRequest, catalog: Catalog, read: (ids: string[]) => Promise<Map<string, DirectoryUser>>, partSize: number): Promise<Preview> {
  if (req.userIds.length <= partSize) return predict(req, catalog, await read(req.userIds));
  const evaluated: UserChangePlan[] = [];
  let changedOutside = 0;
  for (let i = 0; i < req.userIds.length; i += partSize) {
    const ids = req.userIds.slice(i, i + partSize);
    const users = await read(ids);
    for (const id of ids) evaluated.push(evaluateUserChange(users.get(id), id, req, catalog));
    changedOutside += ids.filter((id) => (users.get(id) as { changedOutside?: boolean } | undefined)?.changedOutside).length;
  }
  return predictEvaluated(req, catalog, evaluated, changedOutside);
}

function predictEvaluated(req: ParsedChangeRequest, catalog: Catalog, evaluated: UserChangePlan[], changedOutside: number): Preview {
  const available = new Map(catalog.skus.map((s) => [s.skuId, availableUnits(s)]));
  const asked = seatsAskedFor(evaluated);
  const seatDemand: SeatDemand[] = [...asked].map(([skuId, needed]) => ({ skuId, displayName: catalog.displayName(skuId), available: available.get(skuId) ?? 0, needed }));
  const results = allocateSeats(evaluated, available, catalog, demandMap(seatDemand));
  return { customerKey: req.customerKey, results, counts: countOutcomes(results), seatDemand, ...(changedOutside ? { changedOutside } : {}) };
}
