import { z } from 'zod';
import { changeSelection } from '../selection';
import { renderSelected } from '../views';
import { defineAction } from './action';

export const dropSelected = defineAction({
  verb: 'dropSelected',
  data: z.object({ userId: z.string().min(1).max(64), page: z.coerce.number().int().min(1).default(1) }),
  async handle(ctx, data) {
    await changeSelection(ctx, { kind: 'remove', ids: [data.userId] });
    return { card: await renderSelected(ctx, data.page) };
  },
});
