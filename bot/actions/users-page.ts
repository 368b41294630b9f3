import { z } from 'zod';
import { pageTicksSchema, rememberTicks } from '../selection';
import { renderUsers } from '../views';
import { defineAction } from './action';

/** First / Previous / Next / Last, and "stay" (re-show the current page with the ticks kept). */
export const usersPage = defineAction({
  verb: 'usersPage',
  data: pageTicksSchema.extend({ move: z.enum(['first', 'previous', 'next', 'last', 'stay']).default('stay') }),
  async handle(ctx, data) {
    await rememberTicks(ctx, data);
    return { card: await renderUsers(ctx, data.move) };
  },
});
