// "Select all N matching": every user the current filter matches, on every page, added to the selection.
// The ids come from the directory's page index in one call (no page-by-page reading).
import { labels } from '../../cards/i18n';
import { messageCard } from '../../cards/simple-cards';
import { MAX_SELECTED, pageTicksSchema, rememberTicks } from '../selection';
import { currentCustomer, renderUsers } from '../views';
import { defineAction } from './action';

export const selectMatching = defineAction({
  verb: 'selectMatching',
  data: pageTicksSchema,
  async handle(ctx, data) {
    await rememberTicks(ctx, data);
    const customer = await currentCustomer(ctx);
    const session = await ctx.session();
    const ids = await ctx.service.userIdsMatching(ctx.actor, customer.key, session.filter);
    const selected = [...new Set([...session.selected, ...ids])];
    if (selected.length > MAX_SELECTED) {
      const l = labels[ctx.lang];
      return { card: messageCard({ title: l.selectUsers, lines: [l.tooManyFound(selected.length, MAX_SELECTED)], tone: 'warning', actions: [{ title: l.backToUsers, verb: 'usersPage', data: { move: 'stay' } }] }) };
    }
    await ctx.updateSession((s) => ({ ...s, selected }));
    return { card: await renderUsers(ctx, 'stay') };
  },
});
