// GRAPH_CUSTOMERS=gdap: the customers offered are those of partner.json that the partner's GDAP
// relationships reach, matched by tenant id (GET /tenantRelationships/delegatedAdminCustomers in the
// partner's own tenant). A customer in partner.json without one is not offered.
// https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadmincustomers
import type { Container } from '@azure/cosmos';
import type { Customer } from '../model';
import { PartnerRepository } from '../store/partner';
import type { GraphClient } from './graph-client';
import { listCustomerTenants } from './customers';
import { CustomerConnectionError } from './graph-directory';

export class GdapPartnerRepository extends PartnerRepository {
  private gdap?: { at: number; tenants: Set<string> };

  constructor(
    container: Container,
    private readonly client: GraphClient,
    /** How long the GDAP list is trusted before it is read again. */
    private readonly maxAgeMs = 5 * 60_000,
  ) {
    super(container);
  }

  override async customers(): Promise<Customer[]> {
    const configured = await super.customers();
    const reached = await this.reachedTenants(configured);
    return configured.filter((c) => reached.has(c.tenantId.toLowerCase()));
  }

  /** A configured customer the partner's GDAP relationships no longer reach: the card names it and the fix. */
  override async whyMissing(customerKey: string): Promise<Error | undefined> {
    const customer = (await super.customers()).find((c) => c.key === customerKey);
    if (!customer) return undefined;
    return new CustomerConnectionError('gdapRelationshipMissing', { key: customer.key, displayName: customer.displayName }, { tenantId: customer.tenantId });
  }

  private async reachedTenants(configured: Customer[]): Promise<Set<string>> {
    if (this.gdap && Date.now() - this.gdap.at < this.maxAgeMs) return this.gdap.tenants;
    const partnerTenantId = (await this.partner()).partner.tenantId;
    const tenants = await listCustomerTenants(this.client, { customers: 'gdap' }, partnerTenantId, configured);
    this.gdap = { at: Date.now(), tenants: new Set(tenants.map((t) => t.tenantId.toLowerCase())) };
    return this.gdap.tenants;
  }
}
