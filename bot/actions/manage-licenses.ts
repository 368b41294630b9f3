import { z } from 'zod';
import { pageTicksSchema, rememberTicks } from '../selection';
import { renderManage } from '../views';
import { defineAction } from './action';

/** Opens Manage licenses for the selection; from the users list it first keeps the page's ticks. */
export const manageLicenses = defineAction({
  verb: 'manageLicenses',
  data: pageTicksSchema.extend({ keepDraft: z.union([z.boolean(), z.literal('true')]).optional() }),
  async handle(ctx, data) {
    await rememberTicks(ctx, data);
    if (!data.keepDraft) await ctx.updateSession((s) => ({ ...s, draft: undefined }));
    return { card: await renderManage(ctx) };
  },
});
