import template from './templates/users.json';
import type { Product } from '../domain/catalog';
import { inheritedOnly, type Customer, type DirectoryUser } from '../domain/model';
import type { UserPage } from '../domain/store/directory';
import { agoText, labels, type Labels, type Lang } from './i18n';
import { clip, expand, type AdaptiveCard } from './render';

/** The filter choice meaning "no filter" (a choice's value may not be empty). */
export const ANY = '*';
/** A license filter value meaning "users who do not hold this product": "!" + skuId. */
export const WITHOUT = '!';

export interface UsersCardInput {
  customer: Customer;
  page: UserPage;
  /** The selection (a Set, or the bot's compact selection): only `has` and `size` are read. */
  selectedIds: Pick<ReadonlySet<string>, 'has' | 'size'>;
  filter: { text?: string; department?: string; skuId?: string; lacksSkuId?: string; usageLocation?: string; accountEnabled?: boolean };
  departments: string[];
  /** Usage locations present (the customer's summary). */
  usageLocations?: string[];
  products: Pick<Product, 'skuId' | 'displayName'>[];
  /** Graph mode: when users were last read from Microsoft 365 (shown with a Refresh action). */
  usersReadAt?: string;
}

/** One line per user: name, user name, licenses, and what would stop an assignment. */
export function userLine(u: DirectoryUser, productName: (skuId: string) => string, l: Labels): string {
  const inherited = inheritedOnly(u);
  const name = (skuId: string) => (inherited.has(skuId.toLowerCase()) ? `${productName(skuId)} (${l.viaGroup})` : productName(skuId));
  const licenses = u.assignedLicenses.length ? u.assignedLicenses.map((a) => name(a.skuId)).join(', ') : l.unlicensedUser;
  const flags = [!u.usageLocation ? l.noUsageLocation : '', u.accountEnabled === false ? l.disabledAccount : ''].filter(Boolean);
  return clip(`${u.displayName} · ${u.userPrincipalName} · ${licenses}${flags.length ? ` (${flags.join(', ')})` : ''}`, 160);
}

export function productNamer(products: Pick<Product, 'skuId' | 'displayName'>[]) {
  const names = new Map(products.map((p) => [p.skuId, p.displayName]));
  return (skuId: string) => names.get(skuId) ?? skuId.slice(0, 8);
}

/** Step 2: a page of users to tick; the selection is kept on the server across pages and filters. */
export function usersCard(lang: Lang, input: UsersCardInput): AdaptiveCard {
  const l = labels[lang];
  const { page } = input;
  const name = productNamer(input.products);
  const onPage = page.users.filter((u) => input.selectedIds.has(u.id)).map((u) => u.id);
  return expand(template, {
    title: l.usersTitle,
    labels: l,
    customerLine: `${l.customer}: **${input.customer.displayName}**`,
    freshnessLine: input.usersReadAt ? l.readFromM365(agoText(input.usersReadAt, lang)) : '',
    canRefresh: !!input.usersReadAt,
    filter: {
      text: input.filter.text ?? '',
      department: input.filter.department ?? ANY,
      license: input.filter.lacksSkuId ? `${WITHOUT}${input.filter.lacksSkuId}` : (input.filter.skuId ?? ANY),
      location: input.filter.usageLocation ?? ANY,
      status: input.filter.accountEnabled === undefined ? ANY : input.filter.accountEnabled ? 'enabled' : 'disabled',
    },
    locationChoices: [{ title: l.anyLocation, value: ANY }, { title: l.noLocation, value: 'none' }, ...(input.usageLocations ?? []).slice(0, 250).map((c) => ({ title: c, value: c }))],
    statusChoices: [{ title: l.anyStatus, value: ANY }, { title: l.enabledOnly, value: 'enabled' }, { title: l.disabledOnly, value: 'disabled' }],
    departmentChoices: [{ title: l.anyDepartment, value: ANY }, ...input.departments.slice(0, 100).map((d) => ({ title: clip(d, 60), value: d }))],
    licenseChoices: [
      { title: l.anyLicense, value: ANY },
      { title: l.unlicensed, value: 'none' },
      ...input.products.map((p) => ({ title: p.displayName, value: p.skuId })),
      ...input.products.map((p) => ({ title: l.withoutLicense(p.displayName), value: `${WITHOUT}${p.skuId}` })),
    ],
    selectedText: l.selectedCount(input.selectedIds.size),
    pageText: l.pageOf(page.pageNumber, page.pageCount, page.total),
    users: page.users.map((u) => ({ id: u.id, title: userLine(u, name, l) })),
    selectedOnPage: onPage.join(','),
    pageUserIds: page.users.map((u) => u.id).join(','),
    hasPrevious: page.pageNumber > 1,
    hasNext: page.pageNumber < page.pageCount,
    manageLabel: `${l.manageLicenses} (${input.selectedIds.size})`,
    // Everyone the filter matches, on every page: the count is the page's total.
    matchingCount: page.total,
    selectMatchingLabel: l.selectAllMatching(page.total),
    selectedLabel: `${l.selectedUsers} (${input.selectedIds.size})`,
  });
}
