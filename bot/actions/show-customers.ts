import { z } from 'zod';
import { renderCustomers } from '../views';
import { defineAction } from './action';

export const showCustomers = defineAction({
  verb: 'showCustomers',
  data: z.object({}).passthrough(),
  async handle(ctx) {
    return { card: await renderCustomers(ctx) };
  },
});
