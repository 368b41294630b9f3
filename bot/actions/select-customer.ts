import { z } from 'zod';
import { startOver } from '../selection';
import { renderUsers } from '../views';
import { defineAction } from './action';

/** Picking a customer starts a new selection: users of one customer mean nothing at another. */
export const selectCustomer = defineAction({
  verb: 'selectCustomer',
  data: z.object({ customerKey: z.string().min(1).max(64) }),
  async handle(ctx, data) {
    await ctx.service.customer(ctx.actor, data.customerKey); // authorizes before anything is stored
    if ((await ctx.session()).customerKey !== data.customerKey) await startOver(ctx, data.customerKey);
    return { card: await renderUsers(ctx, 'first') };
  },
});
