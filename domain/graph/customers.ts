// Which customer tenants License Desk may open. GRAPH_CUSTOMERS=partner: the customers the partner
// configured (partner.json / the store). GRAPH_CUSTOMERS=gdap: the partner's GDAP customers as Graph
// lists them in the partner tenant; a configured customer missing there is refused with a code.
// https://learn.microsoft.com/partner-center/customers/gdap-introduction
import type { GraphClient } from './graph-client';
import type { GraphSettings } from './settings';
import { GraphConnectionError } from './token-errors';

export interface CustomerTenant {
  tenantId: string;
  displayName: string;
}

export async function listCustomerTenants(
  client: GraphClient,
  settings: Pick<GraphSettings, 'customers'>,
  partnerTenantId: string,
  configured: CustomerTenant[],
): Promise<CustomerTenant[]> {
  if (settings.customers === 'partner') return configured;
  return (await client.delegatedAdminCustomers(partnerTenantId)).map(({ tenantId, displayName }) => ({ tenantId, displayName }));
}

/** Throws gdapRelationshipMissing when the tenant is not among the partner's GDAP customers. */
export function requireCustomer(customers: CustomerTenant[], tenantId: string): CustomerTenant {
  const found = customers.find((c) => c.tenantId.toLowerCase() === tenantId.toLowerCase());
  if (!found) throw new GraphConnectionError('gdapRelationshipMissing', { tenantId });
  return found;
}
