import { z } from 'zod';
import { renderUsers } from '../views';
import { defineAction } from './action';

/** Picking a customer starts a new selection: users of one customer mean nothing at another. */
export const selectCustomer = defineAction({
  verb: 'selectCustomer',
  data: z.object({ customerKey: z.string().min(1).max(64) }),
  async handle(ctx, data) {
    await ctx.service.customer(ctx.actor, data.customerKey); // authorizes before anything is stored
    await ctx.updateSession((s) =>
      s.customerKey === data.customerKey ? s : { id: s.id, customerKey: data.customerKey, selected: [], filter: {}, anchor: {} },
    );
    return { card: await renderUsers(ctx, 'first') };
  },
});
