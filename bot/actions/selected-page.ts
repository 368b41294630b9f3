import { z } from 'zod';
import { renderSelected } from '../views';
import { defineAction } from './action';

export const selectedPage = defineAction({
  verb: 'selectedPage',
  data: z.object({ page: z.coerce.number().int().min(1).max(100_000) }),
  async handle(ctx, data) {
    return { card: await renderSelected(ctx, data.page) };
  },
});
