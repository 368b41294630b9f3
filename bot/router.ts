// Activity → parsed command or verb (checked with zod) → handler → card. Every failure becomes a card
// that says what happened; nothing here knows botbuilder.
import { labels } from '../cards/i18n';
import { CardTooLargeError, type AdaptiveCard } from '../cards/render';
import { messageCard } from '../cards/simple-cards';
import { AccessDeniedError } from '../domain/access';
import { OperationStillRunningError, RequestError } from '../domain/service';
import { cardActions } from './actions';
import { commands } from './commands';
import { parseCommand } from './commands/parse';
import type { HandlerContext } from './context';
import { logError } from './log';
import { SelectionTooLargeError } from './selection';
import { NoCustomerChosen, renderCustomers } from './views';

// Built on first use: run-command imports this module, so the action list may still be loading here.
let byVerb: Map<string, (typeof cardActions)[number]> | undefined;
const actionsByVerb = () => (byVerb ??= new Map(cardActions.map((a) => [a.verb, a])));


/** A text message: always answered with a card, sent as a new message. */
export async function runText(ctx: HandlerContext, text: string): Promise<AdaptiveCard> {
  const { command, lang } = parseCommand(text);
  // Someone who types German gets German, whatever their client's locale.
  const c = lang && lang !== ctx.lang ? { ...ctx, lang } : ctx;
  return guard(c, () => commands[command.name].handle(c, command as never));
}

export interface ActionOutcome {
  /** 200, or 400 for data that does not fit the verb. */
  status: 200 | 400;
  card: AdaptiveCard;
}

/** A card action (Action.Execute invoke, or Action.Submit): its answer replaces the clicked card. */
export async function runAction(ctx: HandlerContext, verb: unknown, data: unknown): Promise<ActionOutcome> {
  const l = labels[ctx.lang];
  const action = typeof verb === 'string' ? actionsByVerb().get(verb) : undefined;
  if (!action) {
    return { status: 400, card: messageCard({ title: l.badInput, lines: [`Unknown action "${String(verb).slice(0, 40)}".`], tone: 'error', actions: [{ title: l.showCustomers, verb: 'showCustomers' }] }) };
  }
  const parsed = action.data.safeParse(data ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
    return { status: 400, card: messageCard({ title: l.badInput, lines: problems, tone: 'error', actions: [{ title: l.showCustomers, verb: 'showCustomers' }] }) };
  }
  return { status: 200, card: await guard(ctx, async () => (await action.handle(ctx, parsed.data)).card) };
}

/** Turns what can go wrong into a card that says so; unexpected errors are logged, never shown raw. */
export async function guard<T = AdaptiveCard>(ctx: HandlerContext, work: () => Promise<T>): Promise<T | AdaptiveCard> {
  const l = labels[ctx.lang];
  try {
    return await work();
  } catch (err) {
    if (err instanceof NoCustomerChosen) return renderCustomers(ctx, 1, l.pickCustomerFirst).catch((e) => guard(ctx, () => Promise.reject<AdaptiveCard>(e)));
    if (err instanceof AccessDeniedError) return accessDeniedCard(ctx, err);
    if (err instanceof RequestError || err instanceof SelectionTooLargeError) return messageCard({ title: l.badInput, lines: [err.message], tone: 'error' });
    if (err instanceof OperationStillRunningError) return messageCard({ title: l.savingTitle, lines: [l.stillRunning] });
    if (err instanceof CardTooLargeError) logError('card over budget', err);
    else logError('unexpected error', err);
    return messageCard({ title: l.badInput, lines: [l.somethingWrong], tone: 'error' });
  }
}

function accessDeniedCard(ctx: HandlerContext, err: AccessDeniedError): AdaptiveCard {
  const l = labels[ctx.lang];
  const who = err.params.admin ?? ctx.actor.displayName;
  const line =
    err.reasonCode === 'roleCannot' ? l.readerCannotSave(who) : err.reasonCode === 'customerOutOfScope' ? l.outOfScope(who, err.params.customer) : l.notAnAdmin(err.params.partner ?? '');
  const actions =
    err.reasonCode === 'roleCannot' ? [{ title: l.back, verb: 'manageLicenses', data: { keepDraft: true } }] : err.reasonCode === 'customerOutOfScope' ? [{ title: l.showCustomers, verb: 'showCustomers' }] : [];
  return messageCard({ title: l.accessDenied, lines: [line], tone: 'error', actions });
}
