import { z } from 'zod';
import { renderCustomers } from '../views';
import { defineAction } from './action';

export const customersPage = defineAction({
  verb: 'customersPage',
  data: z.object({ page: z.coerce.number().int().min(1).max(10_000) }),
  async handle(ctx, data) {
    return { card: await renderCustomers(ctx, data.page) };
  },
});
