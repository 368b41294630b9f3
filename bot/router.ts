// Activity → parsed command or verb (checked with zod) → handler → card. Every failure becomes a card
// that says what happened; nothing here knows botbuilder.
import type { z } from 'zod';
import { labels } from '../cards/i18n';
import type { AdaptiveCard } from '../cards/render';
import { messageCard } from '../cards/simple-cards';
import { isVerb } from '../cards/verbs';
import { cardActions } from './actions';
import type { CardAction } from './actions/action';
import type { HandlerContext } from './context';
import { guard } from './guard';

export { runText } from './run-text';

export interface ActionOutcome {
  /** 200, or 400 for data that does not fit the verb. */
  status: 200 | 400;
  card: AdaptiveCard;
}

/** A card action (Action.Execute invoke, or Action.Submit): its answer replaces the clicked card. */
export async function runAction(turnCtx: HandlerContext, verb: unknown, data: unknown): Promise<ActionOutcome> {
  // A choice card carries the language it was written in (a German command in an English client): its
  // answer stays in that language.
  const carried = data && typeof data === 'object' ? (data as { lang?: unknown }).lang : undefined;
  const ctx: HandlerContext = carried === 'en' || carried === 'de' ? { ...turnCtx, lang: carried } : turnCtx;
  const l = labels[ctx.lang];
  if (!isVerb(verb)) {
    return { status: 400, card: messageCard({ title: l.badInput, lines: [l.unknownAction(String(verb).slice(0, 40))], tone: 'error', actions: [{ title: l.showCustomers, verb: 'showCustomers' }] }) };
  }
  // One handler per verb; its data schema decides what the click may carry.
  const action: CardAction<z.ZodType> = cardActions[verb];
  const parsed = action.data.safeParse(data ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
    return { status: 400, card: messageCard({ title: l.badInput, lines: problems, tone: 'error', actions: [{ title: l.showCustomers, verb: 'showCustomers' }] }) };
  }
  return { status: 200, card: await guard(ctx, async () => (await action.handle(ctx, parsed.data)).card) };
}
