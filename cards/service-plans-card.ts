import template from './templates/service-plans.json';
import type { Product } from '../domain/catalog';
import { labels, type Lang } from './i18n';
import { expand, type AdaptiveCard } from './render';

/** "View service plans": tick what stays on for the users who get this product. */
export function servicePlansCard(lang: Lang, product: Product, disabledPlans: string[]): AdaptiveCard {
  const l = labels[lang];
  return expand(template, {
    title: l.servicePlansTitle(product.displayName),
    intro: l.servicePlansIntro,
    plansLabel: product.displayName,
    labels: l,
    skuId: product.skuId,
    plans: product.servicePlans,
    enabled: product.servicePlans.filter((p) => !disabledPlans.includes(p.servicePlanId)).map((p) => p.servicePlanId).join(','),
  });
}
