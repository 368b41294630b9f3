import template from './templates/selected.json';
import type { Customer, DirectoryUser } from '../domain/model';
import { labels, type Lang } from './i18n';
import { expand, type AdaptiveCard } from './render';
import { productNamer, userLine } from './users-card';
import type { Product } from '../domain/catalog';

export const SELECTED_PER_PAGE = 20;

/** Step 3: only the selected users, sorted by name, each with a way to drop it. */
export function selectedCard(
  lang: Lang,
  input: { customer: Customer; users: DirectoryUser[]; total: number; page: number; products: Pick<Product, 'skuId' | 'displayName'>[] },
): AdaptiveCard {
  const l = labels[lang];
  const pageCount = Math.max(1, Math.ceil(input.total / SELECTED_PER_PAGE));
  const name = productNamer(input.products);
  return expand(template, {
    title: `${l.selectedUsers} (${input.total})`,
    labels: l,
    customerLine: input.customer.displayName,
    users: input.users.map((u) => ({ id: u.id, displayName: u.displayName, detail: userLine(u, name, l).split(' · ').slice(1).join(' · ') })),
    page: input.page,
    pageCount,
    pageText: `${input.page} / ${pageCount}`,
  });
}
