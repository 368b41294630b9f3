// Seats counted in the product documents themselves: how License Desk keeps seats right in Cosmos DB
// without transactions (README "How seats stay right"). A chunk reserves before it writes a user
// (consumedUnits grows first), and settles after: unused seats go back, written ones stay counted, and
// the reservation is deleted in the same ETag write, so a key is settled exactly once.
import type { DirectoryUserRecord, SeatLedger } from '../directory-port';
import { availableUnits } from '../model';
import type { DirectoryRepository, SkuDoc } from './directory';

export class CosmosSeatLedger implements SeatLedger {
  /**
   * This process's writes to one product document, one after the other: chunks of a run in flight at
   * once (and concurrent changes here) would otherwise lose ETag races to each other and retry. Other
   * processes are still kept right by the ETag.
   */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly repository: DirectoryRepository) {}

  private update(customerId: string, skuId: string, change: (doc: SkuDoc) => SkuDoc | undefined, fence?: () => void): Promise<unknown> {
    const key = `${customerId}\n${skuId}`;
    const next = (this.queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.repository.updateSku(customerId, skuId, change, fence));
    const tail = next.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return next;
  }

  async free(customerId: string, skuIds: Iterable<string>): Promise<Map<string, number>> {
    const ids = [...skuIds];
    const docs = await Promise.all(ids.map((skuId) => this.repository.sku(customerId, skuId)));
    return new Map(ids.map((skuId, i) => [skuId, docs[i] ? availableUnits(docs[i]!) : 0]));
  }

  /** Products are independent documents: their reservations go out together. */
  async reserve(customerId: string, key: string, skuIds: string[], wanted: Map<string, number>, fence?: () => void): Promise<Map<string, number>> {
    const granted = new Map<string, number>();
    await Promise.all(skuIds.map((skuId) =>
      this.update(customerId, skuId, (doc) => {
        // Already reserved under this key: a repeated write whose first reply was lost. Reserve once.
        if (doc.reservations[key] !== undefined) {
          granted.set(skuId, doc.reservations[key]);
          return undefined;
        }
        const grant = Math.min(wanted.get(skuId) ?? 0, availableUnits(doc));
        granted.set(skuId, grant);
        return { ...doc, consumedUnits: doc.consumedUnits + grant, reservations: { ...doc.reservations, [key]: grant } };
      }, fence),
    ));
    return granted;
  }

  async settle(customerId: string, key: string, written: Map<string, { added: number; removed: number }>, fence?: () => void): Promise<void> {
    await Promise.all([...written].map(([skuId, { added, removed }]) => this.settleOne(customerId, skuId, key, added, removed, fence)));
  }

  async settleOrphans(customerId: string, keyPrefix: string, operationId: string, users: DirectoryUserRecord[], fence?: () => void): Promise<void> {
    const skus: SkuDoc[] = await this.repository.skus(customerId);
    for (const sku of skus) {
      for (const key of Object.keys(sku.reservations ?? {}).filter((k) => k.startsWith(keyPrefix))) {
        let added = 0;
        let removed = 0;
        for (const user of users) {
          const mark = user.licenseChanges?.find((m) => m.operationId === operationId && m.reservationKey === key);
          if (!mark) continue;
          if (mark.added.includes(sku.skuId)) added++;
          if (mark.removed.includes(sku.skuId)) removed++;
        }
        await this.settleOne(customerId, sku.skuId, key, added, removed, fence);
      }
    }
  }

  private async settleOne(customerId: string, skuId: string, key: string, added: number, removed: number, fence?: () => void): Promise<void> {
    await this.update(customerId, skuId, (doc) => {
      const reserved = doc.reservations[key];
      if (reserved === undefined) return undefined; // already settled
      const reservations = { ...doc.reservations };
      delete reservations[key];
      return { ...doc, consumedUnits: doc.consumedUnits - reserved + added - removed, reservations };
    }, fence);
  }
}
