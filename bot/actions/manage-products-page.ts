import { z } from 'zod';
import { rememberCardChoices } from '../save';
import { currentCustomer, renderManage } from '../views';
import { defineAction } from './action';

/** More products / Previous products in Manage licenses; what was set on this page is kept. */
export const manageProductsPage = defineAction({
  verb: 'manageProductsPage',
  data: z.object({ page: z.coerce.number().int().min(1).max(1000), cardId: z.string().max(64).optional() }).catchall(z.unknown()),
  async handle(ctx, data) {
    const customer = await currentCustomer(ctx);
    await rememberCardChoices(ctx, data, await ctx.service.products(ctx.actor, customer.key));
    return { card: await renderManage(ctx, '', data.page) };
  },
});
