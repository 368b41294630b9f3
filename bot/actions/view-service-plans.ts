import { z } from 'zod';
import { servicePlansCard } from '../../cards/service-plans-card';
import { changeFromInputs } from '../save';
import { currentCustomer, emptyDraft, renderManage, selectedUsersSorted } from '../views';
import { defineAction } from './action';

/** Keeps what the admin set on the card, then shows the product's service plans. */
export const viewServicePlans = defineAction({
  verb: 'viewServicePlans',
  data: z.object({ skuId: z.string().min(1).max(64) }).catchall(z.unknown()),
  async handle(ctx, data) {
    const customer = await currentCustomer(ctx);
    const products = await ctx.service.products(ctx.actor, customer.key);
    const product = products.find((p) => p.skuId === data.skuId);
    if (!product) return { card: await renderManage(ctx) };
    const users = await selectedUsersSorted(ctx, customer);
    const draft = (await ctx.session()).draft ?? emptyDraft();
    const { choices } = changeFromInputs(data, products, users, draft);
    await ctx.updateSession((s) => ({ ...s, draft: { ...draft, choices } }));
    return { card: servicePlansCard(ctx.lang, product, draft.disabledPlans[product.skuId] ?? []) };
  },
});
