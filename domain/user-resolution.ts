// Names people paste (UPNs, mail addresses, display names) → users, all in one pass. The rules are the
// bot's name-matching rules (bot/matching.ts): a UPN, its user name or a mail address exactly; else the
// full display name exactly (two such people: ambiguous); else every typed word must start a word of
// the name or user name ("dan" is not Jordan) and only one person may qualify. Never a guess.
import { fold } from './fold';

/** What resolving a name needs of a user: a projection, so a 100,000-user read stays small. */
export interface NamedEntry {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
}

export type NameResolution<T extends NamedEntry = NamedEntry> =
  | { name: string; kind: 'one'; user: T }
  /** Several people fit: `options` (at most MAX_OPTIONS), for a choice. */
  | { name: string; kind: 'ambiguous'; options: T[] }
  | { name: string; kind: 'none' };

export const MAX_OPTIONS = 5;

const normalize = (s: string) => fold(s).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
const localPart = (upn: string) => upn.split('@')[0];

/**
 * Among `found` (users a search returned), the one `name` means. `truncated`: the search found more
 * than it returned, so a single word-start hit may hide the person meant — ask, do not pick.
 */
export function resolveAmong<T extends NamedEntry>(name: string, found: T[], truncated = false): NameResolution<T> {
  const q = fold(name);
  const byUpn = found.filter((u) => fold(u.userPrincipalName) === q || fold(localPart(u.userPrincipalName)) === q || (!!u.mail && fold(u.mail) === q));
  if (byUpn.length === 1) return { name, kind: 'one', user: byUpn[0] };
  const byName = found.filter((u) => fold(u.displayName) === q);
  if (byName.length === 1) return { name, kind: 'one', user: byName[0] };
  if (byName.length > 1) return { name, kind: 'ambiguous', options: byName.slice(0, MAX_OPTIONS) };
  const tokens = normalize(name).split(' ').filter(Boolean);
  const byWords = found.filter((u) => tokens.length > 0 && tokens.every((t) => wordsOf(u).some((w) => w.startsWith(t))));
  if (byWords.length === 1 && !truncated) return { name, kind: 'one', user: byWords[0] };
  if (byWords.length >= 1) return { name, kind: 'ambiguous', options: byWords.slice(0, MAX_OPTIONS) };
  return { name, kind: 'none' };
}

const wordsOf = (u: NamedEntry) => normalize(`${u.displayName} ${localPart(u.userPrincipalName)}`).split(' ');

/**
 * Resolves many names against every user of a customer at once: exact keys through maps, the rest
 * through a sorted word index (binary search for the words a typed word starts), so 10,000 names
 * against 100,000 users take milliseconds, not a query each.
 */
export class NameIndex<T extends NamedEntry> {
  private readonly exact = new Map<string, T[]>();
  private readonly byDisplayName = new Map<string, T[]>();
  /** Every word of every user, sorted, with the user it belongs to. */
  private readonly words: { word: string; user: T }[] = [];

  constructor(users: Iterable<T>) {
    for (const u of users) {
      const keys = new Set([fold(u.userPrincipalName), fold(localPart(u.userPrincipalName)), ...(u.mail ? [fold(u.mail)] : [])]);
      for (const k of keys) push(this.exact, k, u);
      push(this.byDisplayName, fold(u.displayName), u);
      for (const w of new Set(wordsOf(u))) if (w) this.words.push({ word: w, user: u });
    }
    this.words.sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
  }

  resolve(name: string): NameResolution<T> {
    const q = fold(name);
    const exact = this.exact.get(q);
    if (exact?.length === 1) return { name, kind: 'one', user: exact[0] };
    const named = this.byDisplayName.get(q) ?? [];
    if (named.length === 1) return { name, kind: 'one', user: named[0] };
    if (named.length > 1) return { name, kind: 'ambiguous', options: named.slice(0, MAX_OPTIONS) };
    const tokens = normalize(name).split(' ').filter(Boolean);
    if (!tokens.length) return { name, kind: 'none' };
    // Candidates: users with a word starting with the longest typed word; then every word must fit.
    const longest = tokens.reduce((a, b) => (b.length > a.length ? b : a));
    const candidates = new Set(this.startingWith(longest));
    return resolveAmong(name, [...candidates, ...(exact ?? [])].filter(unique()));
  }

  private *startingWith(prefix: string): Generator<T> {
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid].word < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.words.length && this.words[i].word.startsWith(prefix); i++) yield this.words[i].user;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function unique<T>() {
  const seen = new Set<T>();
  return (x: T) => (seen.has(x) ? false : (seen.add(x), true));
}

/** The outcome of resolving a pasted list: who was found (each once, in list order), and what was not. */
export interface PastedListResolution<T extends NamedEntry = NamedEntry> {
  users: T[];
  ambiguous: Extract<NameResolution<T>, { kind: 'ambiguous' }>[];
  unknown: string[];
}

export function summarizeResolutions<T extends NamedEntry>(resolutions: NameResolution<T>[]): PastedListResolution<T> {
  const seen = new Set<string>();
  const out: PastedListResolution<T> = { users: [], ambiguous: [], unknown: [] };
  for (const r of resolutions) {
    if (r.kind === 'one') {
      if (!seen.has(r.user.id)) out.users.push(r.user);
      seen.add(r.user.id);
    } else if (r.kind === 'ambiguous') out.ambiguous.push(r);
    else out.unknown.push(r.name);
  }
  return out;
}
