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
  const card = new ACData.Template(template).expand({ $root: data }) as AdaptiveCard;
  stripEmptyActions(card);
  const bytes = cardBytes(card);
  if (bytes > CARD_BUDGET_BYTES) throw new CardTooLargeError(`Card is ${bytes} bytes, over the ${CARD_BUDGET_BYTES}-byte budget`);
  return card;
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
