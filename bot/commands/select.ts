// "select <pasted list>": the selection becomes the users named (one per line, or commas, semicolons;
// UPNs, mail addresses or display names), shown as the selected users; problems listed on top.
import { labels } from '../../cards/i18n';
import { resolvePasted } from '../pasted-list';
import { changeSelection } from '../selection';
import { currentCustomer, renderSelected } from '../views';
import { defineCommand } from './command';

export const select = defineCommand({
  name: 'select',
  async handle(ctx, command) {
    const customer = await currentCustomer(ctx);
    const names = command.users;
    // No choice buttons here: an ambiguous name is listed back like in a long list.
    const outcome = await resolvePasted(ctx, customer.key, names, false);
    if (outcome.kind === 'card') return outcome.card;
    if (outcome.kind === 'ask') throw new Error('unreachable: select does not ask');
    await changeSelection(ctx, { kind: 'replace', ids: outcome.userIds });
    const card = await renderSelected(ctx, 1);
    const lines = [labels[ctx.lang].selectedFromList(outcome.userIds.length), ...outcome.problems];
    card.body.unshift(...lines.map((text, i) => ({ type: 'TextBlock', text, wrap: true, color: i ? 'Warning' : 'Accent' })));
    return card;
  },
});
