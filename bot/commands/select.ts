// "select <pasted list>": the selection becomes the users named (one per line, or commas, semicolons;
// UPNs, mail addresses or display names), shown as the selected users; problems listed on top.
import { pastedListWords } from '../../cards/pasted-list-words';
import { resolvePasted } from '../pasted-list';
import { currentCustomer, renderSelected } from '../views';
import { defineCommand } from './command';

export const select = defineCommand({
  name: 'select',
  async handle(ctx, command) {
    const customer = await currentCustomer(ctx);
    const names = command.users;
    const outcome = await resolvePasted(ctx, customer.key, names, (name, upn) => `select ${names.map((x) => (x === name ? upn : x)).join(', ')}`);
    if (outcome.kind === 'card') return outcome.card;
    await ctx.updateSession((s) => ({ ...s, selected: outcome.userIds }));
    const card = await renderSelected(ctx, 1);
    const lines = [pastedListWords[ctx.lang].selectedFromList(outcome.userIds.length), ...outcome.problems];
    card.body.unshift(...lines.map((text, i) => ({ type: 'TextBlock', text, wrap: true, color: i ? 'Warning' : 'Accent' })));
    return card;
  },
});
