import { z } from 'zod';
import { pageTicksSchema, rememberTicks } from '../selection';
import { ANY } from '../../cards/users-card';
import { renderUsers } from '../views';
import { defineAction } from './action';

const text = z.string().trim().max(100).optional();
const unlessAny = (v?: string) => (v && v !== ANY ? v : undefined);

/** Filter by name, department or license; the selection is kept across filters. */
export const usersFilter = defineAction({
  verb: 'usersFilter',
  data: pageTicksSchema.extend({
    clear: z.union([z.boolean(), z.literal('true')]).optional(),
    filterText: text,
    filterDepartment: text,
    filterLicense: text,
  }),
  async handle(ctx, data) {
    await rememberTicks(ctx, data);
    const filter = data.clear ? {} : { text: data.filterText || undefined, department: unlessAny(data.filterDepartment), skuId: unlessAny(data.filterLicense) };
    await ctx.updateSession((s) => ({ ...s, filter, anchor: {} }));
    return { card: await renderUsers(ctx, 'first') };
  },
});
