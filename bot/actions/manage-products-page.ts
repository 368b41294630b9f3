import { z } from 'zod';
import { changeFromInputs } from '../save';
import { currentCustomer, emptyDraft, renderManage } from '../views';
import { defineAction } from './action';

/** More products / Previous products in Manage licenses; what was set on this page is kept. */
export const manageProductsPage = defineAction({
  verb: 'manageProductsPage',
  data: z.object({ page: z.coerce.number().int().min(1).max(1000), cardId: z.string().max(64).optional() }).catchall(z.unknown()),
  async handle(ctx, data) {
    const customer = await currentCustomer(ctx);
    const session = await ctx.session();
    if (session.manageCard && session.manageCard.cardId === data.cardId) {
      const products = await ctx.service.products(ctx.actor, customer.key);
      const draft = session.draft ?? emptyDraft();
      const { choices } = changeFromInputs(data, products, session.manageCard.baseline, draft);
      await ctx.updateSession((s) => ({ ...s, draft: { ...draft, choices } }));
    }
    return { card: await renderManage(ctx, '', data.page) };
  },
});
