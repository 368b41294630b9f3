// The partner's own data, in the `partner` container: admins and roles, customers, product rules.
import type { Container } from '@azure/cosmos';
import { customerSchema, partnerSettingsSchema, productRulesSchema, type Customer, type PartnerSettings, type ProductRules } from '../model';
import { queryAll, readItem, withRetry } from './cosmos';

export class PartnerRepository {
  private cache?: { at: number; partner: PartnerSettings; rules: ProductRules; customers: Customer[] };

  constructor(private readonly container: Container) {}

  /** Partner, rules and customers change rarely; a few seconds of caching saves a read per click. */
  private async load() {
    if (this.cache && Date.now() - this.cache.at < 5_000) return this.cache;
    const [partnerDoc, rulesDoc, customers] = await Promise.all([
      readItem<{ id: string; data: unknown }>(this.container, 'partner', 'partner'),
      readItem<{ id: string; data: unknown }>(this.container, 'rules', 'partner'),
      queryAll<Customer & { pk: string }>(this.container, 'SELECT * FROM c WHERE c.pk = "customer"', []),
    ]);
    if (!partnerDoc || !rulesDoc) throw new Error('The store has no partner data yet; seed or import it first.');
    this.cache = {
      at: Date.now(),
      partner: partnerSettingsSchema.parse(partnerDoc.data),
      rules: productRulesSchema.parse(rulesDoc.data),
      customers: customers.map((c) => customerSchema.parse(c)).sort((a, b) => a.displayName.localeCompare(b.displayName)),
    };
    return this.cache;
  }

  /**
   * Why a customer key is not among `customers()`: an error to show instead of "no such customer"
   * (e.g. a GDAP relationship that ended), or undefined when it simply is not configured.
   */
  async whyMissing(_customerKey: string): Promise<Error | undefined> {
    return undefined;
  }

  async partner(): Promise<PartnerSettings> {
    return (await this.load()).partner;
  }

  async rules(): Promise<ProductRules> {
    return (await this.load()).rules;
  }

  async customers(): Promise<Customer[]> {
    return (await this.load()).customers;
  }

  async isEmpty(): Promise<boolean> {
    return !(await readItem(this.container, 'partner', 'partner'));
  }

  /** When a customer's data was last loaded from an export (changes after it are License Desk's own). */
  async importedAt(customerKey: string): Promise<string | undefined> {
    return (await readItem<{ id: string; importedAt?: string }>(this.container, customerKey, 'customer'))?.importedAt;
  }

  async save(partner: PartnerSettings, rules: ProductRules, customers: Customer[]): Promise<void> {
    const importedAt = new Date().toISOString();
    for (const c of customers) await withRetry(() => this.container.items.upsert({ ...c, id: c.key, pk: 'customer', importedAt }));
    await withRetry(() => this.container.items.upsert({ id: 'rules', pk: 'partner', data: rules }));
    // Written last: its presence is what marks the store as seeded.
    await withRetry(() => this.container.items.upsert({ id: 'partner', pk: 'partner', data: partner }));
    this.cache = undefined;
  }
}
