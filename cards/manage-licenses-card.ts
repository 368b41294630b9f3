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
  holders: DirectoryUser[];
}

/** Tri-state per product: do all, some or none of the selected users hold it? */
export function productRows(products: Product[], users: DirectoryUser[]): ProductRow[] {
  return products.map((product) => {
    const holders = users.filter((u) => u.assignedLicenses.some((l) => l.skuId === product.skuId));
    const state: HoldState = holders.length === 0 ? 'none' : holders.length === users.length ? 'all' : 'some';
    return { product, state, holders };
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
  input: { customer: Customer; users: DirectoryUser[]; products: Product[]; draft: LicenseDraft; buyMoreUrl: string; cardId: string; notice?: string; page?: number; readFrom?: string },
): AdaptiveCard {
  const l = labels[lang];
  const sorted = [...input.users].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const pageCount = Math.max(1, Math.ceil(input.products.length / PRODUCTS_PER_CARD));
  const page = Math.min(Math.max(1, input.page ?? 1), pageCount);
  const shown = input.products.slice((page - 1) * PRODUCTS_PER_CARD, page * PRODUCTS_PER_CARD);
  const rows = productRows(shown, sorted).map(({ product, state, holders }) => {
    const off = input.draft.disabledPlans[product.skuId]?.length ?? 0;
    const mark = state === 'all' ? `☑ ${l.holdAll}` : state === 'some' ? `◩ ${l.holdSome(holders.length, sorted.length)}` : `☐ ${l.holdNone}`;
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
    notice: input.notice ?? '',
    selectedHeading: `${l.selectedUsers} (${sorted.length})`,
    selectedNames: nameList(sorted.map((u) => u.displayName), 15, l.andMore),
    products: rows,
    plansForDefault: rows[0]?.skuId ?? '',
    buyMoreUrl: input.buyMoreUrl,
    cardId: input.cardId,
    page,
    pageCount,
    pageText: l.productsPage((page - 1) * PRODUCTS_PER_CARD + 1, (page - 1) * PRODUCTS_PER_CARD + shown.length, input.products.length),
  });
}
