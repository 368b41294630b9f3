// Names from data/demo/README.md, so tests read like the fixture's table of notable users.
import type { Dataset } from '../../domain/dataset';
import type { LicenseChangeRequest } from '../../domain/model';
import { cosmosBackends } from '../../domain/store/backends';
import type { CosmosStore } from '../../domain/store/cosmos';
import { randomUUID } from 'node:crypto';

export const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', displayName: 'Alex Wilber' };
export const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', displayName: 'Adele Vance' };
export const MEGAN = { aadObjectId: '00000000-0000-0000-0000-0000000000021', displayName: 'Megan Bowen' };

export const SKU = {
  E3: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  E5: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
  EXCHANGE_P1: '4b9405b0-7788-4568-add1-99614e613b69',
  TEAMS_PHONE: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd',
  CALLING_PLAN: '0dab259f-bf13-4952-b7f8-7db8f131b28d',
  COPILOT: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
  POWER_BI_PRO: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
  VISIO: 'c5928f49-12ba-48f7-ada3-0d743a3601d5',
  FILE_STORAGE: '99049c9c-6011-4908-bf17-15f496e6519d',
  M365_E3: '05e9a617-0261-4cee-bb44-138d3ef5d965',
};
export const PLAN = { EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0', YAMMER_ENTERPRISE: '7547a3fe-08ee-4ccb-b430-5077c5041653' };

/** The user id of a demo user by the local part of the UPN ("jordan.miller"). */
export function userId(data: Dataset, upnLocal: string, customer = 'contoso'): string {
  const users = data.customers.find((c) => c.customer.key === customer)!.users;
  const u = users.find((x) => x.userPrincipalName.startsWith(`${upnLocal}@`));
  if (!u) throw new Error(`no demo user ${upnLocal}`);
  return u.id;
}

export function request(partial: Partial<LicenseChangeRequest> & { userIds: string[] }): LicenseChangeRequest {
  return { customerKey: 'contoso', requestedBy: ALEX, idempotencyKey: randomUUID(), mode: 'add', ...partial };
}

/** Seats in use and users holding each product: the invariant every test can check. */
export async function seatBook(store: Pick<CosmosStore, 'containers'>, customerKey = 'contoso') {
  const audit = await cosmosBackends(store).directory.seatAudit(customerKey);
  const book: Record<string, { consumed: number; holders: number; enabled: number; reservations: number }> = {};
  for (const [skuId, { consumed, holders, enabled, reservations }] of Object.entries(audit)) book[skuId] = { consumed, holders, enabled, reservations };
  return book;
}

export async function expectSeatInvariant(store: Pick<CosmosStore, 'containers'>, customerKey = 'contoso') {
  const book = await seatBook(store, customerKey);
  for (const [skuId, b] of Object.entries(book)) {
    if (b.consumed !== b.holders || b.reservations !== 0 || b.consumed > b.enabled) {
      throw new Error(`seat invariant broken for ${skuId}: ${JSON.stringify(b)}`);
    }
  }
  return book;
}
