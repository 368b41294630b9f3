import { pageTicksSchema, rememberTicks } from '../selection';
import { renderUsers } from '../views';
import { defineAction } from './action';

export const selectPage = defineAction({
  verb: 'selectPage',
  data: pageTicksSchema,
  async handle(ctx, data) {
    await rememberTicks(ctx, { pageUserIds: data.pageUserIds, selection: data.pageUserIds });
    return { card: await renderUsers(ctx, 'stay') };
  },
});
