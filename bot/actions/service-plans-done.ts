import { z } from 'zod';
import { idList } from '../selection';
import { currentCustomer, emptyDraft, renderManage } from '../views';
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
    await ctx.updateSession((s) => {
      const draft = s.draft ?? emptyDraft();
      return { ...s, draft: { choices: { ...draft.choices, [product.skuId]: 'assign' }, disabledPlans: { ...draft.disabledPlans, [product.skuId]: disabled } } };
    });
    return { card: await renderManage(ctx) };
  },
});
