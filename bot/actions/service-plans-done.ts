import { z } from 'zod';
import { idList } from '../selection';
import { currentCustomer, emptyDraft, plansOffForAllHolders, renderManage } from '../views';
import { defineAction } from './action';

/** Unticked plans are switched off for the users who get the product; the product is set to be assigned. */
export const servicePlansDone = defineAction({
  verb: 'servicePlansDone',
  data: z.object({ skuId: z.string().min(1).max(64), enabledPlans: idList }),
  async handle(ctx, data) {
    const customer = await currentCustomer(ctx);
    const product = (await ctx.service.products(ctx.actor, customer.key)).find((p) => p.skuId === data.skuId);
    if (!product) return { card: await renderManage(ctx) };
    const enabled = new Set(data.enabledPlans);
    const disabled = product.servicePlans.map((p) => p.servicePlanId).filter((id) => !enabled.has(id));
    // Done without a change (the plans as the holders have them) records nothing: holders keep theirs.
    const asHeld = await plansOffForAllHolders(ctx, customer, product.skuId);
    const unchanged = disabled.length === asHeld.length && disabled.every((p) => asHeld.includes(p));
    await ctx.updateSession((s) => {
      const draft = s.draft ?? emptyDraft();
      const disabledPlans = { ...draft.disabledPlans };
      if (unchanged) {
        delete disabledPlans[product.skuId];
        return { ...s, draft: { ...draft, disabledPlans } };
      }
      disabledPlans[product.skuId] = disabled;
      return { ...s, draft: { choices: { ...draft.choices, [product.skuId]: 'assign' }, disabledPlans } };
    });
    return { card: await renderManage(ctx) };
  },
});
