// "assign … to …" and "revoke … from …": resolve names, then open Manage licenses filled in. Nothing is
// changed until the admin presses Save. A choice button (ambiguous or unknown name) carries what is
// already resolved as ids and the rest as typed names — data, not command text, so it works in any language.
import { labels } from '../../cards/i18n';
import type { LicenseDraft } from '../../cards/manage-licenses-card';
import type { AdaptiveCard } from '../../cards/render';
import { choicesCard, messageCard } from '../../cards/simple-cards';
import type { Product } from '../../domain/catalog';
import type { HandlerContext } from '../context';
import { matchProduct } from '../matching';
import { resolvePasted } from '../pasted-list';
import { changeSelection, currentSelection } from '../selection';
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
  let problems: string[] = [];
  if (spec.users === 'selected') {
    userIds = (await currentSelection(ctx)).ids();
    if (!userIds.length) return messageCard({ title: l.manageLicenses, lines: [l.noneSelected], actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
  } else {
    const users = spec.users;
    const chosen = users.flatMap((u) => ('userId' in u ? [u.userId] : []));
    // Ids from a button are looked up within this customer: an id of another customer is not found.
    const known = new Set((await ctx.service.usersById(ctx.actor, customer.key, chosen)).map((u) => u.id));
    const stranger = chosen.find((id) => !known.has(id));
    if (stranger) return messageCard({ title: l.unknownUser(stranger), lines: [], tone: 'warning', actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] });
    // Every typed name in one pass (a query per name made 1,000 pasted UPNs take 36 s).
    const named = users.flatMap((u, i) => ('name' in u ? [{ name: u.name, i }] : []));
    const outcome = named.length ? await resolvePasted(ctx, customer.key, named.map((n) => n.name)) : { kind: 'users' as const, userIds: [], problems: [] };
    if (outcome.kind === 'card') return outcome.card;
    if (outcome.kind === 'ask') {
      const i = named[outcome.index].i;
      return choicesCard(l.whichUser(outcome.name), outcome.options.map((u) => choice(`${u.displayName} (${u.userPrincipalName})`, withUser(spec, users, i, u.id))));
    }
    userIds = [...chosen, ...outcome.userIds];
    problems = outcome.problems;
    userIds = [...new Set(userIds)];
    notice = [l.selectionFromCommand(userIds.length), ...problems].join('\n\n');
  }
  const draftChoice = spec.change === 'assign' ? 'assign' : 'remove';
  const draft: LicenseDraft = { choices: Object.fromEntries(products.map((p) => [p.skuId, draftChoice])), disabledPlans: {} };
  // "to selected users" keeps the selection as it is stored; named users become the selection.
  if (spec.users === 'selected') await ctx.updateSession((s) => ({ ...s, draft }));
  else await changeSelection(ctx, { kind: 'replace', ids: userIds }, (s) => ({ ...s, draft }));
  return renderManage(ctx, notice);
}
