import { z } from 'zod';
import { openChange } from '../commands/change-command';
import { defineAction } from './action';

const ref = (key: 'skuId' | 'userId') => z.union([z.object({ [key]: z.string().min(1).max(64) }), z.object({ name: z.string().min(1).max(200) })]);

/** A choice button for an ambiguous or unknown product or user: the change with that name resolved to an id. */
export const chooseChange = defineAction({
  verb: 'chooseChange',
  data: z.object({
    change: z.enum(['assign', 'revoke']),
    products: z.array(ref('skuId')).min(1).max(20),
    users: z.union([z.literal('selected'), z.array(ref('userId')).min(1).max(100)]),
  }),
  async handle(ctx, data) {
    return { card: await openChange(ctx, data as Parameters<typeof openChange>[1]) };
  },
});
