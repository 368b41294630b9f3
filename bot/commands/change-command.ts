// "assign … to …" and "revoke … from …": resolve names, then open Manage licenses filled in. Nothing is
// changed until the admin presses Save. A choice button (ambiguous or unknown name) carries what is
// already resolved as ids and the rest as typed names — data, not command text, so it works in any language.
import { labels } from '../../cards/i18n';
import type { AdaptiveCard } from '../../cards/render';
import { choicesCard, messageCard } from '../../cards/simple-cards';
import type { Product } from '../../domain/catalog';
import type { HandlerContext } from '../context';
import { matchProduct, matchUser } from '../matching';
import { currentCustomer, renderManage } from '../views';
import type { ParsedCommand } from './parse';

export type ProductRef = { skuId: string } | { name: string };
export type UserRef = { userId: string } | { name: string };

/** A change to open: from a typed command (names) or a choice button (some names resolved to ids). */
export interface ChangeSpec {
  change: 'assign' | 'revoke';
  products: ProductRef[];
  users: 'selected' | UserRef[];
}

/** A typed command: every product and user still a name. */
export function specOf(cmd: Extract<ParsedCommand, { name: 'assign' | 'revoke' }>): ChangeSpec {
  return { change: cmd.name, products: cmd.products.map((name) => ({ name })), users: cmd.users === 'selected' ? 'selected' : cmd.users.map((name) => ({ name })) };
}

/** The spec again with one product or user resolved: what a choice button sends (verb chooseChange). */
const withProduct = (spec: ChangeSpec, i: number, p: Product): ChangeSpec => ({ ...spec, products: spec.products.map((x, j) => (j === i ? { skuId: p.skuId } : x)) });
const withUser = (spec: ChangeSpec, users: UserRef[], i: number, userId: string): ChangeSpec => ({ ...spec, users: users.map((x, j) => (j === i ? { userId } : x)) });

export async function openChange(ctx: HandlerContext, spec: ChangeSpec): Promise<AdaptiveCard> {
  const l = labels[ctx.lang];
  const customer = await currentCustomer(ctx);
  const catalog = await ctx.service.catalog(ctx.actor, customer.key);
  const offered = catalog.userProducts();
  const choice = (title: string, next: ChangeSpec) => ({ title, verb: 'chooseChange' as const, data: { ...next, lang: ctx.lang } });
  const products: Product[] = [];
  for (const [i, ref] of spec.products.entries()) {
    const byId = 'skuId' in ref ? offered.find((p) => p.skuId === ref.skuId) : undefined;
    if (byId) {
      products.push(byId);
      continue;
    }
    const name = 'name' in ref ? ref.name : ref.skuId;
    const m = matchProduct(name, offered, (p) => catalog.namesOf(catalog.sku(p.skuId)!));
    if (m.kind === 'ambiguous') return choicesCard(l.whichProduct(name), m.options.map((p) => choice(p.displayName, withProduct(spec, i, p))));
    if (m.kind === 'none') return choicesCard(l.unknownProduct(name), m.suggestions.map((p) => choice(p.displayName, withProduct(spec, i, p))));
    products.push(m.item);
  }
  let userIds: string[];
  let notice = '';
  if (spec.users === 'selected') {
    userIds = (await ctx.session()).selected;
    if (!userIds.length) return messageCard({ title: l.manageLicenses, lines: [l.noneSelected], actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
  } else {
    const users = spec.users;
    userIds = [];
    const chosen = users.flatMap((u) => ('userId' in u ? [u.userId] : []));
    // Ids from a button are looked up within this customer: an id of another customer is not found.
    const known = new Set((await ctx.service.usersById(ctx.actor, customer.key, chosen)).map((u) => u.id));
    for (const [i, ref] of users.entries()) {
      if ('userId' in ref) {
        if (!known.has(ref.userId)) return messageCard({ title: l.unknownUser(ref.userId), lines: [], tone: 'warning', actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
        userIds.push(ref.userId);
        continue;
      }
      const page = await ctx.service.listUsers(ctx.actor, customer.key, { text: ref.name }, 'first');
      const m = matchUser(ref.name, page.users, page.total > page.users.length);
      if (m.kind === 'ambiguous') return choicesCard(l.whichUser(ref.name), m.options.map((u) => choice(`${u.displayName} (${u.userPrincipalName})`, withUser(spec, users, i, u.id))));
      if (m.kind === 'none') return messageCard({ title: l.unknownUser(ref.name), lines: [], tone: 'warning', actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
      userIds.push(m.item.id);
    }
    userIds = [...new Set(userIds)];
    notice = l.selectionFromCommand(userIds.length);
  }
  const draftChoice = spec.change === 'assign' ? 'assign' : 'remove';
  await ctx.updateSession((s) => ({
    ...s,
    selected: userIds,
    draft: { choices: Object.fromEntries(products.map((p) => [p.skuId, draftChoice])), disabledPlans: {} },
  }));
  return renderManage(ctx, notice);
}
