import template from './templates/manage-licenses.json';
import type { Product } from '../domain/catalog';
import type { Customer, DirectoryUser } from '../domain/model';
import { labels, whyNotAssignableText, type Lang } from './i18n';
import { expand, nameList, type AdaptiveCard } from './render';

export type ProductChoice = 'assign' | 'remove' | 'keep';

/** What the admin has set so far in Manage licenses, kept on the server while they look at plans. */
export interface LicenseDraft {
  choices: Record<string, ProductChoice>;
  disabledPlans: Record<string, string[]>;
}

export type HoldState = 'all' | 'some' | 'none';

export interface ProductRow {
  product: Product;
  state: HoldState;
  /** Who holds it (empty for a large selection, which shows counts only). */
  holders: DirectoryUser[];
  holderCount: number;
}

/**
 * A selection too large to list (Manage licenses shows counts, not names, beyond MANAGE_NAMES_UP_TO):
 * how many users, the first few names in sort order, and per product how many hold it.
 */
export interface SelectionCounts {
  total: number;
  firstNames: string[];
  holders: Record<string, number>;
}

/** Up to this many selected users, Manage licenses names who holds what; beyond, it shows counts. */
export const MANAGE_NAMES_UP_TO = 200;

const stateFor = (holders: number, total: number): HoldState => (holders === 0 ? 'none' : holders === total ? 'all' : 'some');

/** Tri-state per product: do all, some or none of the selected users hold it? */
export function productRows(products: Product[], users: DirectoryUser[]): ProductRow[] {
  return products.map((product) => {
    const holders = users.filter((u) => u.assignedLicenses.some((l) => l.skuId === product.skuId));
    return { product, state: stateFor(holders.length, users.length), holders, holderCount: holders.length };
  });
}

/** The same rows from counts alone (a large selection). */
export function productRowsFromCounts(products: Product[], counts: SelectionCounts): ProductRow[] {
  return products.map((product) => {
    const n = counts.holders[product.skuId] ?? 0;
    return { product, state: stateFor(n, counts.total), holders: [], holderCount: n };
  });
}

export const productInputId = (skuId: string) => `product_${skuId}`;

/** Plans switched off for every selected holder of a product: where "View service plans" starts. */
export function commonDisabledPlans(users: DirectoryUser[], skuId: string): string[] {
  const held = users.map((u) => u.assignedLicenses.find((l) => l.skuId === skuId)).filter((l) => !!l);
  if (!held.length) return [];
  return held[0].disabledPlans.filter((p) => held.every((l) => l.disabledPlans.includes(p)));
}

/** The value a product's input has when the admin has not touched it: what the selected users hold. */
export function untouchedValue(state: HoldState): string {
  return state === 'all' ? 'true' : state === 'none' ? 'false' : 'keep';
}

export function stateOf(untouched: string): HoldState {
  return untouched === 'true' ? 'all' : untouched === 'false' ? 'none' : 'some';
}

/** The value shown for a product: the admin's choice so far, else the untouched value. */
export function shownValue(state: HoldState, choice: ProductChoice | undefined): string {
  if (!choice || choice === 'keep') return untouchedValue(state);
  if (state === 'some') return choice;
  return String(choice === 'assign');
}

/** Products per Manage licenses card: keeps it under the Teams size limit however many a tenant has. */
export const PRODUCTS_PER_CARD = 12;

/** Step 4: every product with available seats, who holds it, and a control to assign or revoke it. */
export function manageLicensesCard(
  lang: Lang,
  input: { customer: Customer; users: DirectoryUser[]; counts?: SelectionCounts; products: Product[]; draft: LicenseDraft; buyMoreUrl: string; cardId: string; notice?: string; page?: number; readFrom?: string },
): AdaptiveCard {
  const l = labels[lang];
  const sorted = [...input.users].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const counts = input.counts;
  const total = counts ? counts.total : sorted.length;
  const pageCount = Math.max(1, Math.ceil(input.products.length / PRODUCTS_PER_CARD));
  const page = Math.min(Math.max(1, input.page ?? 1), pageCount);
  const shown = input.products.slice((page - 1) * PRODUCTS_PER_CARD, page * PRODUCTS_PER_CARD);
  const rows = (counts ? productRowsFromCounts(shown, counts) : productRows(shown, sorted)).map(({ product, state, holders, holderCount }) => {
    const off = input.draft.disabledPlans[product.skuId]?.length ?? 0;
    const mark = state === 'all' ? `☑ ${l.holdAll}` : state === 'some' ? `◩ ${l.holdSome(holderCount, total)}` : `☐ ${l.holdNone}`;
    const details = [
      mark,
      holders.length ? `${l.assigned}: ${nameList(holders.map((h) => h.displayName), 5, l.andMore)}` : '',
      product.notAssignableWhy ? l.notAssignable(whyNotAssignableText(product.notAssignableWhy, lang)) : '',
      off ? l.plansOff(off) : '',
    ].filter(Boolean);
    return {
      skuId: product.skuId,
      inputId: productInputId(product.skuId),
      displayName: product.displayName,
      kind: state === 'some' ? 'choice' : 'toggle',
      value: shownValue(state, input.draft.choices[product.skuId]),
      availableText: String(product.available),
      availableColor: product.available === 0 ? 'Attention' : 'Default',
      details: details.join(' · '),
      buyMore: product.available === 0,
    };
  });
  return expand(template, {
    labels: l,
    customerLine: input.readFrom ? `${input.customer.displayName} · ${input.readFrom}` : input.customer.displayName,
    notice: [input.notice ?? '', counts ? l.countsOnly(MANAGE_NAMES_UP_TO) : ''].filter(Boolean).join('\n\n'),
    selectedHeading: `${l.selectedUsers} (${total})`,
    selectedNames: counts
      ? `${counts.firstNames.slice(0, 15).join(', ')}${total > 15 ? ` ${l.andMore(total - Math.min(15, counts.firstNames.length))}` : ''}`
      : nameList(sorted.map((u) => u.displayName), 15, l.andMore),
    products: rows,
    plansForDefault: rows[0]?.skuId ?? '',
    buyMoreUrl: input.buyMoreUrl,
    cardId: input.cardId,
    page,
    pageCount,
    pageText: l.productsPage((page - 1) * PRODUCTS_PER_CARD + 1, (page - 1) * PRODUCTS_PER_CARD + shown.length, input.products.length),
  });
}
