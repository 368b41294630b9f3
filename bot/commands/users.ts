import { renderUsers } from '../views';
import { defineCommand } from './command';

/** "users" shows the list as it was; "users sales" filters by name, department or job title. */
export const users = defineCommand({
  name: 'users',
  async handle(ctx, cmd) {
    if (cmd.filter !== undefined) await ctx.updateSession((s) => ({ ...s, filter: { text: cmd.filter }, anchor: {} }));
    return renderUsers(ctx, cmd.filter !== undefined ? 'first' : 'stay');
  },
});
