// Shared by every card: template expansion and the size budget Teams enforces.
import * as ACData from 'adaptivecards-templating';

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body: unknown[];
  actions?: unknown[];
  [key: string]: unknown;
}

/** Teams refuses a message over 28 KB; the card is most of it, so keep a margin for the envelope. */
export const CARD_BUDGET_BYTES = 26 * 1024;

export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

export class CardTooLargeError extends Error {}

/** Fills a JSON template with typed data; throws if the result would not fit a Teams message. */
export function expand<T extends object>(template: object, data: T): AdaptiveCard {
  const card = prepared(template).expand({ $root: data }) as AdaptiveCard;
  stripEmptyActions(card);
  stampVerbs(card);
  const bytes = cardBytes(card);
  if (bytes > CARD_BUDGET_BYTES) throw new CardTooLargeError(`Card is ${bytes} bytes, over the ${CARD_BUDGET_BYTES}-byte budget`);
  return card;
}

/**
 * Each template parsed once per process: parsing its expressions (an ANTLR grammar) was a third of a
 * users card click's CPU. A Template "can be bound to different data objects in a loop" (its docs).
 */
const templates = new WeakMap<object, ACData.Template>();
function prepared(template: object): ACData.Template {
  let t = templates.get(template);
  if (!t) templates.set(template, (t = new ACData.Template(template)));
  return t;
}

/**
 * Templates name each action's verb once; Teams sends `verb` with Action.Execute, but an Action.Submit
 * fallback (and older clients) send only `data`, so the verb is copied there too.
 */
function stampVerbs(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stampVerbs);
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (o.type === 'Action.Execute' && typeof o.verb === 'string') {
    const data = o.data && typeof o.data === 'object' && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : {};
    o.data = { ...data, verb: o.verb };
  }
  for (const v of Object.values(o)) if (v && typeof v === 'object') stampVerbs(v);
}

/** Every action in a card, wherever it sits (body, ActionSets, columns, the action bar). */
export function actionsOf(node: unknown, found: { type: string; title?: string; verb?: string; data?: Record<string, unknown> }[] = []) {
  if (Array.isArray(node)) node.forEach((n) => actionsOf(n, found));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.type === 'string' && o.type.startsWith('Action.')) found.push(o as never);
    for (const v of Object.values(o)) if (v && typeof v === 'object') actionsOf(v, found);
  }
  return found;
}

/** An empty `actions` array is valid but renders an empty bar in some clients. */
function stripEmptyActions(card: AdaptiveCard) {
  if (Array.isArray(card.actions) && card.actions.length === 0) delete card.actions;
}

/** Keeps text short enough for a line in a card, on a character boundary. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "A, B, C and 4 more". */
export function nameList(names: string[], max: number, andMore: (n: number) => string): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} ${andMore(names.length - max)}`;
}
