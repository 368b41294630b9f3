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
  const available = new Map(catalog.skus.map((s) => [s.skuId, availableUnits(s)]));
  const asked = seatsAskedFor(evaluated);
  const seatDemand: SeatDemand[] = [...asked].map(([skuId, needed]) => ({ skuId, displayName: catalog.displayName(skuId), available: available.get(skuId) ?? 0, needed }));
  const results = allocateSeats(evaluated, available, catalog, demandMap(seatDemand));
  const changedOutside = req.userIds.filter((id) => (users.get(id) as { changedOutside?: boolean } | undefined)?.changedOutside).length;
  return { customerKey: req.customerKey, results, counts: countOutcomes(results), seatDemand, ...(changedOutside ? { changedOutside } : {}) };
}
