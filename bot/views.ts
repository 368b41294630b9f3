// Builds each card from the admin's session and the domain; shared by commands and card actions.
import { randomUUID } from 'node:crypto';
import { customersCard } from '../cards/customers-card';
import { labels } from '../cards/i18n';
import { commonDisabledPlans, MANAGE_NAMES_UP_TO, manageLicensesCard, productRows, productRowsFromCounts, untouchedValue, type LicenseDraft, type SelectionCounts } from '../cards/manage-licenses-card';
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
import { currentSelection, type Selection } from './selection';
import { hashOfIds } from './selection-store';

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
  const [selection, summary, products, fresh] = await Promise.all([
    currentSelection(ctx),
    ctx.service.summary(ctx.actor, customer.key),
    ctx.service.products(ctx.actor, customer.key),
    ctx.service.freshness(ctx.actor, customer.key),
  ]);
  return usersCard(ctx.lang, {
    customer, page, selectedIds: selection, filter: session.filter,
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
  const selection = await currentSelection(ctx);
  const users = await ctx.service.usersById(ctx.actor, customer.key, selection.ids(), { fresh });
  return users.sort((a, b) => a.sortKey.localeCompare(b.sortKey));
}

/**
 * The selected users the directory knows, in sort-key order (the order seats go in), and per product
 * how many hold it — without reading the users (the directory's page index), however many there are.
 * What Save changes, and what Manage licenses shows for a large selection.
 */
export async function selectedIdsSorted(ctx: HandlerContext, customer: Customer, selection?: Selection) {
  return ctx.service.selectionSummary(ctx.actor, customer.key, selection ?? (await currentSelection(ctx)));
}

/** Plans switched off for every selected holder, read a thousand users at a time (a selection can be 100,000). */
export async function plansOffForAllHolders(ctx: HandlerContext, customer: Customer, skuId: string): Promise<string[]> {
  const { ids } = await selectedIdsSorted(ctx, customer);
  let common: string[] | undefined;
  for (let i = 0; i < ids.length && common?.length !== 0; i += 1000) {
    const holders = (await ctx.service.usersById(ctx.actor, customer.key, ids.slice(i, i + 1000))).filter((u) => u.assignedLicenses.some((l) => l.skuId === skuId));
    if (!holders.length) continue;
    const off = commonDisabledPlans(holders, skuId);
    common = common ? common.filter((p) => off.includes(p)) : off;
  }
  return common ?? [];
}

export async function renderSelected(ctx: HandlerContext, page = 1): Promise<AdaptiveCard> {
  const customer = await currentCustomer(ctx);
  // Only the page shown is read: the selection can be 100,000 users.
  const { ids } = await selectedIdsSorted(ctx, customer);
  const pageCount = Math.max(1, Math.ceil(ids.length / SELECTED_PER_PAGE));
  const current = Math.min(Math.max(1, page), pageCount);
  const [users, products] = await Promise.all([
    ctx.service.usersById(ctx.actor, customer.key, ids.slice((current - 1) * SELECTED_PER_PAGE, current * SELECTED_PER_PAGE)),
    ctx.service.products(ctx.actor, customer.key),
  ]);
  return selectedCard(ctx.lang, { customer, users, total: ids.length, page: current, products });
}

/** Manage licenses for the selected users; a fresh card id makes each rendering's Save its own change. */
export async function renderManage(ctx: HandlerContext, notice = '', page = 1): Promise<AdaptiveCard> {
  const customer = await currentCustomer(ctx);
  const selection = await currentSelection(ctx);
  if (selection.count > MANAGE_NAMES_UP_TO) return renderManageCounts(ctx, customer, selection, notice, page);
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

/**
 * Manage licenses for a selection too large to list: per product how many of the selected hold it
 * (from the directory's index, no user read but the first few names), so the card stays small and
 * opens quickly for 100,000 users. Save then decides each user on what they hold when it runs.
 */
async function renderManageCounts(ctx: HandlerContext, customer: Customer, selection: Selection, notice: string, page: number): Promise<AdaptiveCard> {
  const [summary, products, session] = await Promise.all([selectedIdsSorted(ctx, customer, selection), ctx.service.products(ctx.actor, customer.key), ctx.session()]);
  const counts: SelectionCounts = { total: summary.ids.length, firstNames: summary.firstNames, holders: summary.holders };
  const cardId = randomUUID();
  const baseline = Object.fromEntries(productRowsFromCounts(products, counts).map((r) => [r.product.skuId, untouchedValue(r.state)]));
  await ctx.updateSession((s) => ({ ...s, manageCard: { cardId, selectionHash: selectionHash(summary.ids), baseline } }));
  return manageLicensesCard(ctx.lang, { customer, users: [], counts, products, draft: session.draft ?? emptyDraft(), buyMoreUrl: ctx.buyMoreUrl, cardId, notice, page });
}

/** Ids in a stable order, hashed: a selection can be 100,000 ids long. */
export function selectionHash(userIds: string[]): string {
  return hashOfIds(userIds);
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
