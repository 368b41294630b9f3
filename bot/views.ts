// Builds each card from the admin's session and the domain; shared by commands and card actions.
import { createHash, randomUUID } from 'node:crypto';
import { customersCard } from '../cards/customers-card';
import { labels } from '../cards/i18n';
import { manageLicensesCard, productRows, untouchedValue, type LicenseDraft } from '../cards/manage-licenses-card';
import type { AdaptiveCard } from '../cards/render';
import { historyCard, resultCard } from '../cards/results-cards';
import { SELECTED_PER_PAGE, selectedCard } from '../cards/selected-card';
import { messageCard } from '../cards/simple-cards';
import { productNamer, usersCard } from '../cards/users-card';
import type { Customer } from '../domain/model';
import type { OperationResult } from '../domain/service';
import type { PageMove } from '../domain/directory-port';
import type { HistoryAnchor } from '../domain/service';
import type { HandlerContext } from './context';

/** Raised when an action needs a customer and none is chosen: the router answers with the customers card. */
export class NoCustomerChosen extends Error {}

export const emptyDraft = (): LicenseDraft => ({ choices: {}, disabledPlans: {} });

export async function currentCustomer(ctx: HandlerContext): Promise<Customer> {
  const session = await ctx.session();
  if (!session.customerKey) throw new NoCustomerChosen();
  return ctx.service.customer(ctx.actor, session.customerKey);
}

export async function renderCustomers(ctx: HandlerContext, page = 1, lead?: string): Promise<AdaptiveCard> {
  const customers = await ctx.service.customersFor(ctx.actor);
  const card = customersCard(ctx.lang, customers, page);
  if (lead) card.body.unshift({ type: 'TextBlock', text: lead, wrap: true, color: 'Accent' });
  return card;
}

/** The users list at `move` from where the admin was ("stay" re-reads the current page). */
export async function renderUsers(ctx: HandlerContext, move: PageMove | 'stay'): Promise<AdaptiveCard> {
  const customer = await currentCustomer(ctx);
  const session = await ctx.session();
  const anchor = session.anchor;
  // "stay": the page that starts where the current one starts (just after the key before it).
  const page =
    move === 'stay' && anchor.firstKey
      ? await ctx.service.listUsers(ctx.actor, customer.key, session.filter, 'next', { lastKey: keyBefore(anchor.firstKey) })
      : await ctx.service.listUsers(ctx.actor, customer.key, session.filter, move === 'stay' ? 'first' : move, anchor);
  await ctx.updateSession((s) => ({ ...s, anchor: { firstKey: page.firstKey, lastKey: page.lastKey } }));
  // Departments and usage locations from the customer's summary: never every user's, per card.
  const [summary, products, fresh] = await Promise.all([
    ctx.service.summary(ctx.actor, customer.key),
    ctx.service.products(ctx.actor, customer.key),
    ctx.service.freshness(ctx.actor, customer.key),
  ]);
  return usersCard(ctx.lang, {
    customer, page, selectedIds: new Set(session.selected), filter: session.filter,
    departments: summary.departments, usageLocations: summary.usageLocations, products, usersReadAt: fresh.usersReadAt,
  });
}

/** The greatest string below `key` for keyset paging: the same key with its last character decremented. */
function keyBefore(key: string): string {
  const last = key.charCodeAt(key.length - 1);
  return key.slice(0, -1) + String.fromCharCode(last - 1) + '\uffff';
}

/** `fresh`: read from the source now (Graph mode), as Manage licenses shows them; otherwise the mirror. */
export async function selectedUsersSorted(ctx: HandlerContext, customer: Customer, fresh = false) {
  const session = await ctx.session();
  const users = await ctx.service.usersById(ctx.actor, customer.key, session.selected, { fresh });
  return users.sort((a, b) => a.sortKey.localeCompare(b.sortKey));
}

export async function renderSelected(ctx: HandlerContext, page = 1): Promise<AdaptiveCard> {
  const customer = await currentCustomer(ctx);
  const users = await selectedUsersSorted(ctx, customer);
  const pageCount = Math.max(1, Math.ceil(users.length / SELECTED_PER_PAGE));
  const current = Math.min(Math.max(1, page), pageCount);
  const products = await ctx.service.products(ctx.actor, customer.key);
  return selectedCard(ctx.lang, {
    customer,
    users: users.slice((current - 1) * SELECTED_PER_PAGE, current * SELECTED_PER_PAGE),
    total: users.length,
    page: current,
    products,
  });
}

/** Manage licenses for the selected users; a fresh card id makes each rendering's Save its own change. */
export async function renderManage(ctx: HandlerContext, notice = '', page = 1): Promise<AdaptiveCard> {
  const customer = await currentCustomer(ctx);
  const users = await selectedUsersSorted(ctx, customer, true);
  const l = labels[ctx.lang];
  if (!users.length) {
    return messageCard({ title: l.manageLicenses, lines: [l.noneSelected], actions: [{ title: l.backToUsers, verb: 'usersPage', data: { move: 'stay' } }] });
  }
  const session = await ctx.session();
  const products = await ctx.service.products(ctx.actor, customer.key);
  const cardId = randomUUID();
  // What each input shows untouched, so Save can tell what the admin changed on this very card.
  const baseline = Object.fromEntries(productRows(products, users).map((r) => [r.product.skuId, untouchedValue(r.state)]));
  await ctx.updateSession((s) => ({ ...s, manageCard: { cardId, selectionHash: selectionHash(users.map((u) => u.id)), baseline } }));
  // Graph mode: the selected users and the products were just read from Microsoft 365 (say so).
  const readFrom = ctx.service.hasExternalSource ? l.readFromM365(l.justNow) : undefined;
  return manageLicensesCard(ctx.lang, { customer, users, products, draft: session.draft ?? emptyDraft(), buyMoreUrl: ctx.buyMoreUrl, cardId, notice, page, readFrom });
}

/** Ids in a stable order, hashed: a selection can be 20,000 ids long. */
export function selectionHash(userIds: string[]): string {
  return createHash('sha256').update([...userIds].sort().join(',')).digest('hex');
}

export async function renderResult(ctx: HandlerContext, result: OperationResult, page = 1, notice = ''): Promise<AdaptiveCard> {
  const customer = await ctx.service.customer(ctx.actor, result.customerKey);
  const catalog = await ctx.service.catalog(ctx.actor, result.customerKey);
  const downloadUrl = ctx.resultLinks?.urlFor({ customerKey: result.customerKey, operationId: result.operationId, actor: ctx.actor, lang: ctx.lang });
  return resultCard(ctx.lang, { customer, result, page, notice, productName: (id) => catalog.displayName(id), downloadUrl });
}

/** The history of the chosen customer (or of `customerKey`, from a history card), from `anchor` on. */
export async function renderHistory(ctx: HandlerContext, customerKey?: string, anchor?: HistoryAnchor): Promise<AdaptiveCard> {
  const customer = customerKey ? await ctx.service.customer(ctx.actor, customerKey) : await currentCustomer(ctx);
  const [page, products] = await Promise.all([ctx.service.historyPage(ctx.actor, customer.key, HISTORY_PER_PAGE, anchor), ctx.service.products(ctx.actor, customer.key)]);
  return historyCard(ctx.lang, { customer, operations: page.operations, older: page.older, isFirstPage: !anchor, productName: productNamer(products) });
}

export const HISTORY_PER_PAGE = 20;
