import template from './templates/manage-licenses.json';
import type { Product } from '../domain/catalog';
import type { Customer, DirectoryUser } from '../domain/model';
import { labels, type Lang } from './i18n';
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

/** The value a product's input has when the admin has not touched it: what the selected users hold. */
export function untouchedValue(state: HoldState): string {
  return state === 'all' ? 'true' : state === 'none' ? 'false' : 'keep';
}

/** The value shown for a product: the admin's choice so far, else the untouched value. */
export function shownValue(state: HoldState, choice: ProductChoice | undefined): string {
  if (!choice || choice === 'keep') return untouchedValue(state);
  if (state === 'some') return choice;
  return String(choice === 'assign');
}

/** Step 4: every product with available seats, who holds it, and a control to assign or revoke it. */
export function manageLicensesCard(
  lang: Lang,
  input: { customer: Customer; users: DirectoryUser[]; products: Product[]; draft: LicenseDraft; buyMoreUrl: string; cardId: string; notice?: string },
): AdaptiveCard {
  const l = labels[lang];
  const sorted = [...input.users].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const rows = productRows(input.products, sorted).map(({ product, state, holders }) => {
    const toggle = state !== 'some';
    const value = shownValue(state, input.draft.choices[product.skuId]);
    const off = input.draft.disabledPlans[product.skuId]?.length ?? 0;
    const notes = [product.notAssignableWhy ? l.notAssignable(product.notAssignableWhy) : '', off ? l.plansOff(off) : ''].filter(Boolean);
    return {
      skuId: product.skuId,
      inputId: productInputId(product.skuId),
      displayName: product.displayName,
      kind: toggle ? 'toggle' : 'choice',
      value,
      availableText: String(product.available),
      availableColor: product.available === 0 ? 'Attention' : 'Default',
      mark: state === 'all' ? `☑ ${l.holdAll}` : state === 'some' ? `◩ ${l.holdSome(holders.length, sorted.length)}` : `☐ ${l.holdNone}`,
      assignedText: holders.length ? `${l.assigned}: ${nameList(holders.map((h) => h.displayName), 5, l.andMore)}` : '',
      note: notes.join(' · '),
      buyMore: product.available === 0,
    };
  });
  return expand(template, {
    labels: l,
    customerLine: input.customer.displayName,
    notice: input.notice ?? '',
    selectedHeading: `${l.selectedUsers} (${sorted.length})`,
    selectedNames: nameList(sorted.map((u) => u.displayName), 15, l.andMore),
    products: rows,
    buyMoreUrl: input.buyMoreUrl,
    cardId: input.cardId,
  });
}
