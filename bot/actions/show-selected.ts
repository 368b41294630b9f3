import { pageTicksSchema, rememberTicks } from '../selection';
import { renderSelected } from '../views';
import { defineAction } from './action';

export const showSelected = defineAction({
  verb: 'showSelected',
  data: pageTicksSchema.passthrough(),
  async handle(ctx, data) {
    await rememberTicks(ctx, data);
    return { card: await renderSelected(ctx, 1) };
  },
});
