import { z } from 'zod';
import { commonDisabledPlans } from '../../cards/manage-licenses-card';
import { servicePlansCard } from '../../cards/service-plans-card';
import { changeFromInputs } from '../save';
import { currentCustomer, emptyDraft, renderManage, selectedUsersSorted } from '../views';
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
    const session = await ctx.session();
    const draft = session.draft ?? emptyDraft();
    // The ticks on the card count only if it is the card last shown (an old card's inputs mean nothing now).
    if (session.manageCard && session.manageCard.cardId === data.cardId) {
      const { choices } = changeFromInputs(data, products, session.manageCard.baseline, draft);
      await ctx.updateSession((s) => ({ ...s, draft: { ...draft, choices } }));
    }
    // Start from what the admin set, else from what the selected holders have now.
    const start = draft.disabledPlans[product.skuId] ?? commonDisabledPlans(await selectedUsersSorted(ctx, customer), product.skuId);
    return { card: servicePlansCard(ctx.lang, product, start) };
  },
});
