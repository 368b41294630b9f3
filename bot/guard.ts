// What can go wrong in a handler, turned into a card that says so. Imported by the router and by
// handlers that work after the turn (a large Save); it imports no handler, so no import circle.
import { connectionText, labels, requestProblemText } from '../cards/i18n';
import { CustomerConnectionError } from '../domain/graph/graph-directory';
import { GraphReadError } from '../domain/graph/graph-types';
import { GraphConnectionError } from '../domain/graph/token-errors';
import { CardTooLargeError, type AdaptiveCard } from '../cards/render';
import { messageCard, type CardButton } from '../cards/simple-cards';
import { AccessDeniedError } from '../domain/access';
import type { Customer } from '../domain/model';
import { RequestError } from '../domain/errors';
import { OperationStillRunningError, type OperationResult } from '../domain/service';
import type { HandlerContext } from './context';
import { logError } from './log';
import { MAX_SELECTED, SelectionTooLargeError } from './selection';
import { NoCustomerChosen, renderCustomers, renderResult } from './views';

/** Turns what can go wrong into a card that says so; unexpected errors are logged, never shown raw. */
export async function guard<T = AdaptiveCard>(ctx: HandlerContext, work: () => Promise<T>): Promise<T | AdaptiveCard> {
  const l = labels[ctx.lang];
  try {
    return await work();
  } catch (err) {
    if (err instanceof NoCustomerChosen) return renderCustomers(ctx, 1, l.pickCustomerFirst).catch((e) => guard(ctx, () => Promise.reject<AdaptiveCard>(e)));
    if (err instanceof AccessDeniedError) return accessDeniedCard(ctx, err);
    if (err instanceof RequestError) return messageCard({ title: l.badInput, lines: [requestProblemText(err, ctx.lang)], tone: 'error' });
    if (err instanceof SelectionTooLargeError) return messageCard({ title: l.badInput, lines: [l.selectionTooLarge(MAX_SELECTED)], tone: 'error' });
    if (err instanceof CustomerConnectionError) return connectionCard(ctx, err.customer.displayName, err.code, err.params);
    if (err instanceof GraphConnectionError) return connectionCard(ctx, err.params.tenantId, err.code, err.params);
    if (err instanceof GraphReadError) return connectionCard(ctx, err.params.tenantId, 'graphUnavailable', err.params);
    if (err instanceof OperationStillRunningError) return messageCard({ title: l.savingTitle, lines: [l.stillRunning] });
    if (err instanceof CardTooLargeError) logError('card over budget', err);
    else logError('unexpected error', err);
    return messageCard({ title: l.badInput, lines: [l.somethingWrong], tone: 'error' });
  }
}

/**
 * A customer License Desk cannot reach in Microsoft 365: which one, what is missing, the fix. Only the
 * code, tenant id and AADSTS number are known here; no secret or token ever reaches this card or a log.
 */
export function connectionCard(
  ctx: HandlerContext,
  customer: string,
  code: Parameters<typeof connectionText>[0],
  params: { tenantId: string; aadsts?: string },
  more: { lines?: string[]; actions?: CardButton[] } = {},
): AdaptiveCard {
  const l = labels[ctx.lang];
  const { missing, fix } = connectionText(code, params, ctx.lang);
  return messageCard({
    title: l.connectionTitle(customer),
    lines: [missing, `${l.fixPrefix} ${fix}`, ...(more.lines ?? []), l.connectionOthers],
    tone: 'error',
    actions: [...(more.actions ?? []), { title: l.showCustomers, verb: 'showCustomers' as const }],
  });
}

/** The customer's tenant could not be reached (a token or consent problem): the card for it, or undefined for another error. */
export function connectionCardFor(ctx: HandlerContext, err: unknown, more: { lines?: string[]; actions?: CardButton[] } = {}): AdaptiveCard | undefined {
  if (err instanceof CustomerConnectionError) return connectionCard(ctx, err.customer.displayName, err.code, err.params, more);
  if (err instanceof GraphConnectionError) return connectionCard(ctx, err.params.tenantId, err.code, err.params, more);
  return undefined;
}

export function accessDeniedCard(ctx: HandlerContext, err: AccessDeniedError): AdaptiveCard {
  const l = labels[ctx.lang];
  const who = err.params.admin ?? ctx.actor.displayName;
  const line =
    err.reasonCode === 'roleCannot' ? l.readerCannotSave(who) : err.reasonCode === 'customerOutOfScope' ? l.outOfScope(who, err.params.customer) : l.notAnAdmin(err.params.partner ?? '');
  const actions =
    err.reasonCode === 'roleCannot'
      ? [{ title: l.back, verb: 'manageLicenses' as const, data: { keepDraft: true } }]
      : err.reasonCode === 'customerOutOfScope'
        ? [{ title: l.showCustomers, verb: 'showCustomers' as const }]
        : [];
  return messageCard({ title: l.accessDenied, lines: [line], tone: 'error', actions });
}

/**
 * A save stopped because the customer's tenant could not be reached: nothing recorded (Save again once
 * fixed), or the operation waiting, resumable with Try again (its users neither done nor failed);
 * undefined when `err` is not such a problem.
 */
export async function unreachableCard(ctx: HandlerContext, customer: Customer, total: number, err: unknown, lookup?: () => Promise<OperationResult | undefined>): Promise<AdaptiveCard | undefined> {
  if (!connectionCardFor(ctx, err)) return undefined;
  const l = labels[ctx.lang];
  if (!lookup) return connectionCardFor(ctx, err);
  const op = await lookup().catch(() => null);
  if (op === null) return connectionCardFor(ctx, err);
  if (!op) return connectionCardFor(ctx, err, { lines: [l.connectionNothingSaved] });
  if (op.status === 'completed') return renderResult(ctx, op);
  const { succeeded, failed, noChange } = op.counts;
  return connectionCardFor(ctx, err, {
    lines: [l.connectionPaused(succeeded + failed + noChange, op.userCount ?? total, succeeded + noChange, failed)],
    actions: [{ title: l.tryAgain, verb: 'resumeChange', data: { customerKey: customer.key, operationId: op.operationId } }],
  });
}
