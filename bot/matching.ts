// Names typed by people → products and users. An ambiguous or unknown name yields choices, never a guess.
import type { Product } from '../domain/catalog';
import { fold } from '../domain/fold';

export type Match<T> = { kind: 'one'; item: T } | { kind: 'ambiguous'; options: T[] } | { kind: 'none'; suggestions: T[] };

const normalize = (s: string) => fold(s).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** Products by display name, part number or alias; close misspellings ("offce 365 e3") match too. */
export function matchProduct(query: string, products: Product[], namesOf: (p: Product) => string[]): Match<Product> {
  const q = normalize(query);
  if (!q) return { kind: 'none', suggestions: products.slice(0, 5) };
  const named = products.map((p) => ({ p, names: namesOf(p).map(normalize) }));
  const exact = named.filter((x) => x.names.includes(q));
  if (exact.length === 1) return { kind: 'one', item: exact[0].p };
  if (exact.length > 1) return { kind: 'ambiguous', options: exact.map((x) => x.p) };
  const tokens = q.split(' ');
  const partial = named.filter((x) => x.names.some((n) => tokens.every((t) => n.split(' ').some((w) => w.startsWith(t)))));
  if (partial.length === 1) return { kind: 'one', item: partial[0].p };
  if (partial.length > 1) return { kind: 'ambiguous', options: partial.map((x) => x.p) };
  const scored = named
    .map((x) => ({ p: x.p, d: Math.min(...x.names.map((n) => editDistance(q, n))) }))
    .sort((a, b) => a.d - b.d);
  const allowed = Math.max(1, Math.floor(q.length * 0.25));
  const best = scored.filter((s) => s.d <= allowed && s.d === scored[0].d);
  if (best.length === 1) return { kind: 'one', item: best[0].p };
  if (best.length > 1) return { kind: 'ambiguous', options: best.map((s) => s.p) };
  return { kind: 'none', suggestions: scored.slice(0, 5).map((s) => s.p) };
}

interface NamedUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
}

/** Among users found by a search, the one the person meant: UPN or full name exactly, else the only hit. */
export function matchUser<T extends NamedUser>(query: string, found: T[], truncated = false): Match<T> {
  const q = fold(query);
  const byUpn = found.filter((u) => fold(u.userPrincipalName) === q || fold(u.userPrincipalName.split('@')[0]) === q);
  if (byUpn.length === 1) return { kind: 'one', item: byUpn[0] };
  const byName = found.filter((u) => fold(u.displayName) === q);
  if (byName.length === 1) return { kind: 'one', item: byName[0] };
  if (byName.length > 1) return { kind: 'ambiguous', options: byName };
  // Otherwise every typed word must start a word of the name or user name: "dan" is not Jordan.
  const words = (u: T) => normalize(`${u.displayName} ${u.userPrincipalName.split('@')[0]}`).split(' ');
  const tokens = normalize(query).split(' ').filter(Boolean);
  const byWords = found.filter((u) => tokens.length && tokens.every((t) => words(u).some((w) => w.startsWith(t))));
  // A search that found more than it returned may hide the person meant: ask, do not pick.
  if (byWords.length === 1 && !truncated) return { kind: 'one', item: byWords[0] };
  if (byWords.length === 1) return { kind: 'ambiguous', options: byWords };
  if (byWords.length > 1) return { kind: 'ambiguous', options: byWords };
  return { kind: 'none', suggestions: [] };
}
