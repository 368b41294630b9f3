import { labels } from '../../cards/i18n';
import { messageCard } from '../../cards/simple-cards';
import { MAX_FILTER_CHARS } from '../session';
import { renderUsers } from '../views';
import { defineCommand } from './command';

/** "users" shows the list as it was; "users sales" filters by name, department or job title. */
export const users = defineCommand({
  name: 'users',
  async handle(ctx, cmd) {
    const filter = cmd.filter?.trim();
    // Stored in the session and put back into the card's search box: no longer than that box holds.
    if (filter !== undefined && filter.length > MAX_FILTER_CHARS) {
      const l = labels[ctx.lang];
      return messageCard({ title: l.badInput, lines: [l.filterTooLong(filter.length, MAX_FILTER_CHARS)], tone: 'warning' });
    }
    if (filter !== undefined) await ctx.updateSession((s) => ({ ...s, filter: { text: filter }, anchor: {} }));
    return renderUsers(ctx, filter !== undefined ? 'first' : 'stay');
  },
});
