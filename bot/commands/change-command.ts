// "assign … to …" and "revoke … from …": resolve names, then open Manage licenses filled in. Nothing is
// changed until the admin presses Save.
import { labels } from '../../cards/i18n';
import type { AdaptiveCard } from '../../cards/render';
import { choicesCard, messageCard } from '../../cards/simple-cards';
import type { Product } from '../../domain/catalog';
import type { HandlerContext } from '../context';
import { matchProduct, matchUser } from '../matching';
import { currentCustomer, renderManage } from '../views';
import type { ParsedCommand } from './parse';

type ChangeCommand = Extract<ParsedCommand, { name: 'assign' | 'revoke' }>;

/** The command again with one name replaced: what a choice button runs. */
function commandText(cmd: ChangeCommand, products: string[], users: 'selected' | string[]): string {
  const who = users === 'selected' ? 'selected users' : users.join(', ');
  return cmd.name === 'assign' ? `assign ${products.join(', ')} to ${who}` : `revoke ${products.join(', ')} from ${who}`;
}

export async function openChange(ctx: HandlerContext, cmd: ChangeCommand): Promise<AdaptiveCard> {
  const l = labels[ctx.lang];
  const customer = await currentCustomer(ctx);
  const catalog = await ctx.service.catalog(ctx.actor, customer.key);
  const offered = catalog.userProducts();
  const products: Product[] = [];
  for (const [i, name] of cmd.products.entries()) {
    const m = matchProduct(name, offered, (p) => catalog.namesOf(catalog.sku(p.skuId)!));
    const replaced = (p: Product) => commandText(cmd, cmd.products.map((x, j) => (j === i ? p.displayName : x)), cmd.users);
    if (m.kind === 'ambiguous') return choicesCard(l.whichProduct(name), m.options.map((p) => ({ title: p.displayName, text: replaced(p) })));
    if (m.kind === 'none') return choicesCard(l.unknownProduct(name), m.suggestions.map((p) => ({ title: p.displayName, text: replaced(p) })));
    products.push(m.item);
  }
  let userIds: string[];
  let notice = '';
  if (cmd.users === 'selected') {
    userIds = (await ctx.session()).selected;
    if (!userIds.length) return messageCard({ title: l.manageLicenses, lines: [l.noneSelected], actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
  } else {
    userIds = [];
    for (const [i, name] of cmd.users.entries()) {
      const page = await ctx.service.listUsers(ctx.actor, customer.key, { text: name }, 'first');
      const m = matchUser(name, page.users, page.total > page.users.length);
      const replaced = (upn: string) => commandText(cmd, cmd.products, (cmd.users as string[]).map((x, j) => (j === i ? upn : x)));
      if (m.kind === 'ambiguous') return choicesCard(l.whichUser(name), m.options.map((u) => ({ title: `${u.displayName} (${u.userPrincipalName})`, text: replaced(u.userPrincipalName) })));
      if (m.kind === 'none') return messageCard({ title: l.unknownUser(name), lines: [], tone: 'warning', actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
      userIds.push(m.item.id);
    }
    userIds = [...new Set(userIds)];
    notice = l.selectionFromCommand(userIds.length);
  }
  const choice = cmd.name === 'assign' ? 'assign' : 'remove';
  await ctx.updateSession((s) => ({
    ...s,
    selected: userIds,
    draft: { choices: Object.fromEntries(products.map((p) => [p.skuId, choice])), disabledPlans: {} },
  }));
  return renderManage(ctx, notice);
}
