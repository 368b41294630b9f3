// A pasted list of names (assign/revoke … to <list>, select <list>) resolved in one pass by the domain.
// A few names keep the one-by-one conversation (a choice for an ambiguous name, a card for an unknown
// one); a long list goes ahead with the users found and lists the rest back: count first, then names.
import { labels, type Lang } from '../cards/i18n';
import type { AdaptiveCard } from '../cards/render';
import { messageCard } from '../cards/simple-cards';
import type { NamedEntry, PastedListResolution } from '../domain/user-resolution';
import type { HandlerContext } from './context';
import { MAX_SELECTED } from './selection';

/** Up to this many names, each problem is asked about on its own (as before pasted lists). */
export const ASK_EACH_UP_TO = 20;
/** Names shown per problem line; the rest are counted ("and 312 more"), keeping the card small. */
const NAMES_SHOWN = 40;

export type PastedOutcome =
  | { kind: 'users'; userIds: string[]; problems: string[] }
  /** A short list with an ambiguous name: the caller offers these people as choices for names[index]. */
  | { kind: 'ask'; index: number; name: string; options: NamedEntry[] }
  | { kind: 'card'; card: AdaptiveCard };

/** `ask`: whether a short list's ambiguous name is asked about (a choice button needs a verb to re-run). */
export async function resolvePasted(ctx: HandlerContext, customerKey: string, names: string[], ask = true): Promise<PastedOutcome> {
  const l = labels[ctx.lang];
  const w = labels[ctx.lang];
  const r = await ctx.service.resolveUsers(ctx.actor, customerKey, names);
  if (names.length <= ASK_EACH_UP_TO) {
    const first = r.ambiguous[0];
    if (first && ask) return { kind: 'ask', index: names.indexOf(first.name), name: first.name, options: first.options };
    if (r.unknown.length && !r.ambiguous.length) return { kind: 'card', card: messageCard({ title: l.unknownUser(r.unknown[0]), lines: [], tone: 'warning', actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] }) };
  }
  const problems = problemLines(ctx.lang, r);
  if (!r.users.length) return { kind: 'card', card: messageCard({ title: w.noneFound(names.length), lines: problems, tone: 'warning', actions: [{ title: l.selectUsers, verb: 'usersPage', data: { move: 'stay' } }] }) };
  if (r.users.length > MAX_SELECTED) return { kind: 'card', card: messageCard({ title: l.manageLicenses, lines: [w.tooManyFound(r.users.length, MAX_SELECTED)], tone: 'warning' }) };
  return { kind: 'users', userIds: r.users.map((u) => u.id), problems };
}

/** "12 not found: a, b, …", "3 ambiguous: …": count first, then the names, clipped. */
export function problemLines(lang: Lang, r: PastedListResolution<NamedEntry>): string[] {
  const w = labels[lang];
  const list = (names: string[]) => names.slice(0, NAMES_SHOWN).map((n) => n.slice(0, 80)).join(', ') + (names.length > NAMES_SHOWN ? `, ${w.andMore(names.length - NAMES_SHOWN)}` : '');
  const lines: string[] = [];
  if (r.unknown.length) lines.push(w.notFound(r.unknown.length, list(r.unknown)));
  if (r.ambiguous.length) lines.push(w.ambiguous(r.ambiguous.length, list(r.ambiguous.map((a) => a.name))));
  return lines;
}
