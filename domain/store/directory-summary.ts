// Per customer, beside its users: departments, usage locations, the user count and the products listed
// (so a users card never reads every user's department, and products are read by id). Written by the
// import; rebuilt from the page index (its entries hold department and location) when users changed
// outside one, or when it is missing (data from before it existed).
import type { Container } from '@azure/cosmos';
import type { DirectorySummary } from '../directory-port';
import { queryAll, readItem, stripDoc, withRetry } from './cosmos';
import type { UserIndex } from './user-index';

export const SUMMARY_ID = 'summary:directory';

export interface SummaryDoc extends DirectorySummary {
  id: string;
  type: 'summary';
  customerId: string;
}

/** Departments and usage locations present (sorted, each once) and the number of users. */
export function summarize(users: Iterable<{ department?: string | null; usageLocation?: string | null }>, skuIds: string[]): DirectorySummary {
  const departments = new Set<string>();
  const locations = new Set<string>();
  let userCount = 0;
  for (const u of users) {
    userCount++;
    if (u.department) departments.add(u.department);
    if (u.usageLocation) locations.add(u.usageLocation);
  }
  return { departments: [...departments].sort((a, b) => a.localeCompare(b)), usageLocations: [...locations].sort(), userCount, skuIds: [...skuIds].sort() };
}

export class DirectorySummaries {
  constructor(
    private readonly container: Container,
    private readonly index: UserIndex,
  ) {}

  /** The stored summary; rebuilt and stored when missing. */
  async doc(customerId: string): Promise<SummaryDoc & { _etag: string }> {
    const stored = await readItem<SummaryDoc>(this.container, SUMMARY_ID, customerId);
    if (stored) return stored;
    await this.rebuild(customerId);
    return (await readItem<SummaryDoc>(this.container, SUMMARY_ID, customerId))!;
  }

  /** From the page index; the products listed are kept unless `products` (then read again: a new one in the mirror). */
  async rebuild(customerId: string, products = true): Promise<DirectorySummary> {
    const listed = products ? undefined : (await readItem<SummaryDoc>(this.container, SUMMARY_ID, customerId))?.skuIds;
    const skus = listed ?? (await queryAll<string>(this.container, 'SELECT VALUE c.skuId FROM c WHERE c.customerId = @c AND c.type = "sku"', [{ name: '@c', value: customerId }]));
    const summary = summarize((await this.index.get(customerId)).entries, skus);
    await this.save(customerId, summary);
    return summary;
  }

  async save(customerId: string, summary: DirectorySummary): Promise<void> {
    const doc: SummaryDoc = { id: SUMMARY_ID, type: 'summary', customerId, ...summary };
    await withRetry(() => this.container.items.upsert(stripDoc(doc)));
  }
}
