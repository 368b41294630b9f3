import { z } from 'zod';
import { currentCustomer, renderUsers } from '../views';
import { defineAction } from './action';

/** Refresh (Graph mode): reads the customer's users and products from Microsoft 365 now, then shows the page again. */
export const refreshDirectory = defineAction({
  verb: 'refreshDirectory',
  data: z.object({ then: z.enum(['users']).default('users') }),
  async handle(ctx) {
    const customer = await currentCustomer(ctx);
    await ctx.service.refresh(ctx.actor, customer.key);
    return { card: await renderUsers(ctx, 'stay') };
  },
});
