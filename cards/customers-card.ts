import template from './templates/customers.json';
import type { Customer } from '../domain/model';
import { labels, type Lang } from './i18n';
import { expand, type AdaptiveCard } from './render';

export const CUSTOMERS_PER_PAGE = 20;

/** Step 1: the customers this admin may manage, a page at a time. */
export function customersCard(lang: Lang, customers: Customer[], page = 1): AdaptiveCard {
  const l = labels[lang];
  const pageCount = Math.max(1, Math.ceil(customers.length / CUSTOMERS_PER_PAGE));
  const current = Math.min(Math.max(1, page), pageCount);
  const shown = customers.slice((current - 1) * CUSTOMERS_PER_PAGE, current * CUSTOMERS_PER_PAGE);
  return expand(template, {
    title: l.customersTitle,
    intro: customers.length ? l.customersIntro : l.noCustomers,
    pickLabel: l.pick,
    customers: shown.map((c) => ({ key: c.key, displayName: c.displayName, detail: [c.defaultDomain, c.countryLetterCode].filter(Boolean).join(' · ') })),
    pageText: pageCount > 1 ? `${current} / ${pageCount}` : '',
    hasPrevious: current > 1,
    hasNext: current < pageCount,
    previousPage: current - 1,
    nextPage: current + 1,
    previousLabel: l.previous,
    nextLabel: l.next,
  });
}
