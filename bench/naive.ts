// The naive way: the same change user by user, one at a time — read the user, add the products, write it
// back with IfMatch — on the same store. (No seat counters: that would only make naive slower.)
import type { Container } from '@azure/cosmos';
import { readItem, stripDoc, withRetry } from '../domain/store/cosmos';
import type { UserDoc } from '../domain/store/directory';
import { timed } from './measure';

export async function naiveRun(container: Container, customerId: string, ids: string[], skuIds: string[]): Promise<{ users: number; seconds: number }> {
  const [, seconds] = await timed(async () => {
    for (const id of ids) {
      const user = await readItem<UserDoc>(container, id, customerId);
      if (!user) throw new Error(`naive: no user ${id}`);
      const have = new Set(user.assignedLicenses.map((l) => l.skuId));
      const assignedLicenses = [...user.assignedLicenses, ...skuIds.filter((s) => !have.has(s)).map((skuId) => ({ skuId, disabledPlans: [] }))];
      const next = { ...user, assignedLicenses, skuIds: assignedLicenses.map((l) => l.skuId) };
      await withRetry(() => container.item(id, customerId).replace(stripDoc(next), { accessCondition: { type: 'IfMatch', condition: user._etag } }));
    }
  });
  return { users: ids.length, seconds };
}
