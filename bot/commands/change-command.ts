// "assign … to …" and "revoke … from …": resolve names, then open Manage licenses filled in. Nothing is
// changed until the admin presses Save.
import { labels } from '../../cards/i18n';
import type { AdaptiveCard } from '../../cards/render';
import { choicesCard, messageCard } from '../../cards/simple-cards';
import type { Product } from '../../domain/catalog';
import type { HandlerContext } from '../context';
import { matchProduct } from '../matching';
import { resolvePasted } from '../pasted-list';
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
  let problems: string[] = [];
  if (cmd.users === 'selected') {
    userIds = (await ctx.session()).selected;
    if (!userIds.length) return messageCard({ title: l.manageLicenses, lines: [l.noneSelected], actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
  } else {
    // All names in one pass (a query per name made 1,000 pasted UPNs take 36 s).
    const names = cmd.users;
    const outcome = await resolvePasted(ctx, customer.key, names, (name, upn) => commandText(cmd, cmd.products, names.map((x) => (x === name ? upn : x))));
    if (outcome.kind === 'card') return outcome.card;
    userIds = outcome.userIds;
    problems = outcome.problems;
    userIds = [...new Set(userIds)];
    notice = [l.selectionFromCommand(userIds.length), ...problems].join('\n\n');
  }
  const choice = cmd.name === 'assign' ? 'assign' : 'remove';
  await ctx.updateSession((s) => ({
    ...s,
    selected: userIds,
    draft: { choices: Object.fromEntries(products.map((p) => [p.skuId, choice])), disabledPlans: {} },
  }));
  return renderManage(ctx, notice);
}
