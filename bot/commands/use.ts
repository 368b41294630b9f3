import { labels } from '../../cards/i18n';
import { choicesCard } from '../../cards/simple-cards';
import { fold } from '../../domain/store/directory';
import { renderCustomers, renderUsers } from '../views';
import { defineCommand } from './command';
import { startOver } from '../selection';

/** "use Contoso": picks a customer by key, name or domain; several matches get choices. */
export const use = defineCommand({
  name: 'use',
  async handle(ctx, cmd) {
    const l = labels[ctx.lang];
    const q = fold(cmd.customer);
    const all = await ctx.service.customersFor(ctx.actor);
    const exact = all.filter((c) => c.key === q || fold(c.displayName) === q || fold(c.defaultDomain) === q);
    const found = exact.length ? exact : all.filter((c) => fold(c.displayName).includes(q) || c.key.includes(q) || fold(c.defaultDomain).includes(q));
    if (found.length === 0) return renderCustomers(ctx, 1, l.unknownCustomer(cmd.customer));
    if (found.length > 1) return choicesCard(l.whichCustomer(cmd.customer), found.map((c) => ({ title: c.displayName, verb: 'selectCustomer', data: { customerKey: c.key, lang: ctx.lang } })));
    const customer = found[0];
    if ((await ctx.session()).customerKey !== customer.key) await startOver(ctx, customer.key);
    return renderUsers(ctx, 'first');
  },
});
