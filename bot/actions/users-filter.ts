import { z } from 'zod';
import { pageTicksSchema, rememberTicks } from '../selection';
import { ANY, WITHOUT } from '../../cards/users-card';
import { MAX_FILTER_CHARS } from '../session';
import { renderUsers } from '../views';
import { defineAction } from './action';

// The same bound as what a session stores and the users command accepts.
const text = z.string().trim().max(MAX_FILTER_CHARS).optional();
const unlessAny = (v?: string) => (v && v !== ANY ? v : undefined);

/** Filter by name, department, license held or lacking, usage location, sign-in; the selection is kept across filters. */
export const usersFilter = defineAction({
  verb: 'usersFilter',
  data: pageTicksSchema.extend({
    clear: z.union([z.boolean(), z.literal('true')]).optional(),
    filterText: text,
    filterDepartment: text,
    filterLicense: text,
    filterLocation: z.string().trim().max(8).optional(),
    filterStatus: z.enum(['enabled', 'disabled', ANY]).optional(),
  }),
  async handle(ctx, data) {
    await rememberTicks(ctx, data);
    const license = unlessAny(data.filterLicense);
    const without = license?.startsWith(WITHOUT) ? license.slice(WITHOUT.length) : undefined;
    const status = unlessAny(data.filterStatus);
    const filter = data.clear
      ? {}
      : {
          text: data.filterText || undefined,
          department: unlessAny(data.filterDepartment),
          skuId: without ? undefined : license,
          lacksSkuId: without || undefined,
          usageLocation: unlessAny(data.filterLocation),
          accountEnabled: status === undefined ? undefined : status === 'enabled',
        };
    await ctx.updateSession((s) => ({ ...s, filter, anchor: {} }));
    return { card: await renderUsers(ctx, 'first') };
  },
});
