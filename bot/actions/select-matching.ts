// "Select all N matching": every user the current filter matches, on every page, added to the selection.
// The ids come from the directory's page index in one call (no page-by-page reading).
import { labels } from '../../cards/i18n';
import { messageCard } from '../../cards/simple-cards';
import { changeSelection, currentSelection, MAX_SELECTED, pageTicksSchema, rememberTicks, SelectionTooLargeError } from '../selection';
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
    const l = labels[ctx.lang];
    const tooMany = (n: number) => ({ card: messageCard({ title: l.selectUsers, lines: [l.tooManyFound(n, MAX_SELECTED)], tone: 'warning', actions: [{ title: l.backToUsers, verb: 'usersPage', data: { move: 'stay' } }] }) });
    // Counted before anything is written: past the cap, the selection stays as it was.
    const selection = await currentSelection(ctx);
    const after = selection.count + ids.filter((id) => !selection.has(id)).length;
    if (after > MAX_SELECTED) return tooMany(after);
    try {
      await changeSelection(ctx, { kind: 'add', ids });
    } catch (err) {
      if (err instanceof SelectionTooLargeError) return tooMany(err.count);
      throw err;
    }
    return { card: await renderUsers(ctx, 'stay') };
  },
});
