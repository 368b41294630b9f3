import { z } from 'zod';
import { servicePlansCard } from '../../cards/service-plans-card';
import { rememberCardChoices } from '../save';
import { currentCustomer, emptyDraft, plansOffForAllHolders, renderManage } from '../views';
import { defineAction } from './action';

/** Keeps what the admin set on the card, then shows the product's service plans. */
export const viewServicePlans = defineAction({
  verb: 'viewServicePlans',
  // The product comes from the card's "View service plans" choice (plansFor), or from the button's data.
  data: z.object({ plansFor: z.string().max(64).optional(), skuId: z.string().max(64).optional(), cardId: z.string().max(64).optional() }).catchall(z.unknown()),
  async handle(ctx, data) {
    const customer = await currentCustomer(ctx);
    const products = await ctx.service.products(ctx.actor, customer.key);
    const product = products.find((p) => p.skuId === (data.plansFor || data.skuId));
    if (!product) return { card: await renderManage(ctx) };
    await rememberCardChoices(ctx, data, products);
    // Start from what the admin set, else from what the selected holders have now.
    const draft = (await ctx.session()).draft ?? emptyDraft();
    const start = draft.disabledPlans[product.skuId] ?? (await plansOffForAllHolders(ctx, customer, product.skuId));
    return { card: servicePlansCard(ctx.lang, product, start) };
  },
});
