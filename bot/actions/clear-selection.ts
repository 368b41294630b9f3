import { pageTicksSchema } from '../selection';
import { renderUsers } from '../views';
import { defineAction } from './action';

export const clearSelection = defineAction({
  verb: 'clearSelection',
  data: pageTicksSchema,
  async handle(ctx) {
    await ctx.updateSession((s) => ({ ...s, selected: [], draft: undefined }));
    return { card: await renderUsers(ctx, 'stay') };
  },
});
