// A customer's products with the names people use for them, and lookups the rules need.
import type { ProductRules, SubscribedSku } from './model';
import type { NotAssignableWhy } from './errors';
import { availableUnits, isOfferedToUsers } from './model';

export interface Product {
  skuId: string;
  skuPartNumber: string;
  displayName: string;
  available: number;
  enabled: number;
  consumed: number;
  warning: number;
  suspended: number;
  /** Why nobody can get a new seat of it at all (suspended subscription…), or undefined. */
  notAssignableWhy?: NotAssignableWhy;
  servicePlans: { servicePlanId: string; servicePlanName: string }[];
}

export class Catalog {
  private readonly bySkuId = new Map<string, SubscribedSku>();
  private readonly planNames = new Map<string, string>();

  constructor(
    readonly skus: SubscribedSku[],
    readonly rules: ProductRules,
  ) {
    for (const sku of skus) {
      this.bySkuId.set(sku.skuId, sku);
      for (const p of sku.servicePlans) this.planNames.set(p.servicePlanId, p.servicePlanName);
    }
  }

  sku(skuId: string): SubscribedSku | undefined {
    return this.bySkuId.get(skuId);
  }

  displayName(skuId: string): string {
    const sku = this.bySkuId.get(skuId);
    if (!sku) return skuId;
    return this.rules.displayNames[sku.skuPartNumber] ?? sku.skuPartNumber;
  }

  displayNameOfPart(skuPartNumber: string): string {
    return this.rules.displayNames[skuPartNumber] ?? skuPartNumber;
  }

  planName(servicePlanId: string): string {
    return this.planNames.get(servicePlanId) ?? servicePlanId;
  }

  /** Products that contain a service plan, by display name. */
  productsWithPlan(servicePlanId: string): string[] {
    return this.skus
      .filter((s) => isOfferedToUsers(s) && s.servicePlans.some((p) => p.servicePlanId === servicePlanId))
      .map((s) => this.displayName(s.skuId));
  }

  notAssignableWhy(sku: SubscribedSku): NotAssignableWhy | undefined {
    if (sku.appliesTo !== 'User') return 'appliesToCompany';
    if (sku.capabilityStatus === 'Suspended') return 'suspended';
    if (sku.capabilityStatus === 'LockedOut') return 'lockedOut';
    if (sku.capabilityStatus === 'Deleted') return 'deleted';
    return undefined;
  }

  /** What the Manage licenses card lists: products offered to users, by name. */
  userProducts(): Product[] {
    return this.skus
      .filter((s) => s.appliesTo === 'User')
      .map((s) => ({
        skuId: s.skuId,
        skuPartNumber: s.skuPartNumber,
        displayName: this.displayName(s.skuId),
        available: isOfferedToUsers(s) && !this.notAssignableWhy(s) ? availableUnits(s) : 0,
        enabled: s.prepaidUnits.enabled,
        consumed: s.consumedUnits,
        warning: s.prepaidUnits.warning,
        suspended: s.prepaidUnits.suspended + s.prepaidUnits.lockedOut,
        notAssignableWhy: this.notAssignableWhy(s),
        servicePlans: s.servicePlans.map((p) => ({ servicePlanId: p.servicePlanId, servicePlanName: p.servicePlanName })),
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** Every name a product answers to: display name, part number, aliases. */
  namesOf(sku: SubscribedSku): string[] {
    const names = [this.displayName(sku.skuId), sku.skuPartNumber, ...(this.rules.aliases[sku.skuPartNumber] ?? [])];
    return [...new Set(names)];
  }
}
