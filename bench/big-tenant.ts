// A large customer built from the demo's Contoso products: realistic names, departments, licenses.
// Used by the benchmark and by the tests that check cards stay within budget at 10,000 users.
import type { Dataset } from '../domain/dataset';
import type { DirectoryUser } from '../domain/model';

const first = ['Jordan', 'Emily', 'Maximilian', 'Katharina', 'Oluwaseun', 'Anne-Sophie', 'Jean-Baptiste', 'Priya', 'Zoë', 'Björn', 'Søren', 'María José'];
const last = ['Miller', 'Schäfer', 'Nguyen', "O'Brien", 'Fernández-Castillo', 'Vandenberghe', 'Okonkwo-Adeyemi', 'Øverland', 'Müller-Lüdenscheidt', 'Kowalczyk'];
const departments = ['Sales', 'Finance', 'Engineering', 'Customer Success', 'Human Resources', 'Legal & Compliance', 'Research and Development', 'Marketing'];
const countries = ['US', 'DE', 'GB', 'FR', 'IN', 'NL', null];

/** Deterministic v5-looking ids, so two runs build the same tenant. */
function id(n: number): string {
  const h = n.toString(16).padStart(12, '0');
  return `b16c0000-0000-5000-8000-${h}`;
}

export interface BigTenantOptions {
  /** Seats free per product beyond the holders (default: a quarter of the users). */
  freeSeats?: number;
  /** Give every user a usage location (default: one in seven has none, and so no license). */
  everyoneLocated?: boolean;
}

export function bigTenant(demo: Dataset, users: number, key = 'bigcorp', options: BigTenantOptions = {}): Dataset {
  const contoso = demo.customers.find((c) => c.customer.key === 'contoso')!;
  const e3 = contoso.skus.find((s) => s.skuPartNumber === 'ENTERPRISEPACK')!;
  const pbi = contoso.skus.find((s) => s.skuPartNumber === 'POWER_BI_PRO')!;
  const list: DirectoryUser[] = [];
  for (let i = 0; i < users; i++) {
    const given = first[i % first.length];
    const sur = last[Math.floor(i / first.length) % last.length];
    const location = options.everyoneLocated ? countries[i % (countries.length - 1)] : countries[i % countries.length];
    const licenses = i % 3 === 0 ? [] : i % 3 === 1 ? [{ skuId: e3.skuId, disabledPlans: [] }] : [{ skuId: e3.skuId, disabledPlans: [] }, { skuId: pbi.skuId, disabledPlans: [] }];
    const upn = `${given}.${sur}.${i}`.toLowerCase().normalize('NFD').replace(/[^a-z0-9.]/g, '');
    list.push({
      id: id(i + 1),
      displayName: `${given} ${sur} ${String(i).padStart(5, '0')}`,
      givenName: given,
      surname: sur,
      userPrincipalName: `${upn}@${key}.onmicrosoft.com`,
      mail: `${upn}@${key}.onmicrosoft.com`,
      jobTitle: 'Senior Principal Customer Success Architect, EMEA and Asia-Pacific',
      department: departments[i % departments.length],
      usageLocation: location,
      country: null,
      accountEnabled: i % 50 !== 0,
      assignedLicenses: location ? licenses : [],
    });
  }
  const skus = contoso.skus.map((s) => {
    const holders = list.filter((u) => u.assignedLicenses.some((l) => l.skuId === s.skuId)).length;
    return { ...s, consumedUnits: holders, prepaidUnits: { ...s.prepaidUnits, enabled: holders + (options.freeSeats ?? Math.floor(users / 4)) } };
  });
  return {
    ...demo,
    customers: [
      {
        customer: { key, displayName: 'Big Corporation International Holdings', tenantId: 'b16c0000-0000-5000-8000-000000000000', defaultDomain: `${key}.onmicrosoft.com`, countryLetterCode: 'US' },
        skus,
        users: list,
      },
    ],
  };
}
