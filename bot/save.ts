// Turning the Manage licenses card into a license change, and applying it without making Teams wait.
import { createHash, randomUUID } from 'node:crypto';
import { labels } from '../cards/i18n';
import { productInputId, shownValue, stateOf, type LicenseDraft, type ProductChoice } from '../cards/manage-licenses-card';
import { messageCard, progressCard } from '../cards/simple-cards';
import { previewCard } from '../cards/results-cards';
import type { AdaptiveCard } from '../cards/render';
import { AccessDeniedError, requesterOf } from '../domain/access';
import type { Product } from '../domain/catalog';
import type { Customer, LicenseChangeRequest, LicenseToAssign } from '../domain/model';
import { withLogFields } from '../domain/logging';
import { operationIdFor, type OperationResult, type Progress } from '../domain/service';
import type { HandlerContext } from './context';
import { accessDeniedCard, unreachableCard } from './guard';
import { logError } from './log';
import { emptyDraft, renderResult, selectionHash } from './views';

export interface LicenseChange {
  assign: LicenseToAssign[];
  remove: string[];
}

/**
 * Reads the card's product inputs against what the card showed when untouched (`baseline`): only an
 * input the admin changed is a change; a product whose plans were switched off is assigned to all.
 */
export function changeFromInputs(data: Record<string, unknown>, products: Product[], baseline: Record<string, string>, draft: LicenseDraft): { change: LicenseChange; choices: Record<string, ProductChoice> } {
  const change: LicenseChange = { assign: [], remove: [] };
  const choices: Record<string, ProductChoice> = {};
  for (const p of products) {
    const untouched = baseline[p.skuId];
    if (untouched === undefined) continue; // not on the card the admin saw
    const raw = data[productInputId(p.skuId)];
    // A product on another page of the card (or an input the client left out) counts as last set.
    const value = typeof raw === 'string' ? raw : typeof raw === 'boolean' ? String(raw) : shownValue(stateOf(untouched), draft.choices[p.skuId]);
    const plans = draft.disabledPlans[p.skuId];
    let choice: ProductChoice = 'keep';
    if (value !== untouched) choice = value === 'true' || value === 'assign' ? 'assign' : value === 'false' || value === 'remove' ? 'remove' : 'keep';
    else if (plans && value === 'true') choice = 'assign'; // everyone holds it: only the plans change
    choices[p.skuId] = choice;
    if (choice === 'assign') change.assign.push(plans ? { skuId: p.skuId, disabledPlans: plans } : { skuId: p.skuId });
    if (choice === 'remove') change.remove.push(p.skuId);
  }
  return { change, choices };
}

/**
 * Keeps what the admin set on the Manage licenses card before leaving it (service plans, another page
 * of products). Only the card last shown counts: an old card's inputs mean nothing now.
 */
export async function rememberCardChoices(ctx: HandlerContext, data: Record<string, unknown> & { cardId?: string }, products: Product[]): Promise<void> {
  const session = await ctx.session();
  const shown = session.manageCard;
  if (!data.cardId || !isCurrentCard(shown, data.cardId)) return;
  const draft = session.draft ?? emptyDraft();
  const { choices } = changeFromInputs(data, products, shown.baseline, draft);
  await ctx.updateSession((s) => ({ ...s, draft: { ...draft, choices } }));
}

export function isEmptyChange(c: LicenseChange) {
  return !c.assign.length && !c.remove.length;
}

/**
 * The one stale-card check: a click counts only if it comes from the card last shown to this admin
 * (Manage licenses, or the preview waiting for Save anyway) and, when given, for the selection that card
 * showed. An older card, or another admin's in a shared chat, would save the wrong thing.
 */
export function isCurrentCard<T extends { cardId: string; selectionHash?: string }>(shown: T | undefined, cardId: string, userIds?: string[]): shown is T {
  if (!shown || shown.cardId !== cardId) return false;
  return userIds === undefined || shown.selectionHash === selectionHash(userIds);
}

/**
 * Idempotency keys, one shape per kind of click. The same click always gives the same key, so Teams'
 * retry of an invoke (or a double click) finds the change already recorded and changes nothing twice.
 */
export const idempotencyKeys = {
  /** Save on Manage licenses, or Save anyway on its preview: the card, what it asked for, and for whom. */
  saveClick(sessionId: string, cardId: string, change: unknown, userIds: string[]): string {
    return createHash('sha256').update(JSON.stringify([sessionId, cardId, change, userIds])).digest('hex');
  },
  /** Retry failed on one rendering of a result: a repeated click retries once; a fresh rendering retries again. */
  retryClick(operationId: string, sessionId: string, cardId: string | undefined): string {
    return `retry:${operationId}:${sessionId}:${cardId ?? 'card'}`;
  },
  /** Save anyway on the preview of a retry: keyed on that preview card. */
  retryConfirmed(operationId: string, previewCardId: string): string {
    return `retry:${operationId}:${previewCardId}`;
  },
  /** Undo now on an undo's preview: keyed on that preview card, so a repeated click undoes once. */
  undoClick(operationId: string, previewCardId: string): string {
    return `undo:${operationId}:${previewCardId}`;
  },
};

export function requestFor(ctx: HandlerContext, customerKey: string, userIds: string[], change: LicenseChange, idempotencyKey: string): LicenseChangeRequest {
  return {
    customerKey,
    userIds,
    licensesToAssign: change.assign,
    licensesToRemove: change.remove,
    mode: change.assign.length ? 'add' : 'remove',
    requestedBy: requesterOf(ctx.actor),
    idempotencyKey,
  };
}

/** How long a click waits for a small change to finish before answering (Teams retries after 15 s). */
export const INLINE_WAIT_MS = 8_000;

/**
 * Posts a progress message, runs `work` in the background, updates that message with progress and then
 * with "Licenses updated". Resolves when the work is done or after INLINE_WAIT_MS, whichever is first.
 * `work` gets where the admin waits (`notify`, stored with the operation: whichever instance finishes it
 * updates that message); `lookup` reads the operation back when the work fails, to say what was done.
 */
export async function startApply(
  ctx: HandlerContext,
  customer: Customer,
  total: number,
  work: (onProgress: (p: Progress) => void, notify: unknown) => Promise<OperationResult>,
  lookup?: () => Promise<OperationResult | undefined>,
): Promise<{ finished: boolean }> {
  const progressId = await ctx.conversation.send(progressCard(ctx.lang, customer.displayName, 0, total));
  const draftAtStart = JSON.stringify((await ctx.session()).draft);
  let updates = Promise.resolve();
  let lastUpdate = 0;
  const show = (card: AdaptiveCard, final = false) => {
    updates = updates
      .then(() => (progressId ? ctx.later.update(progressId, card) : ctx.later.send(card).then(() => undefined)))
      .catch(async (err) => {
        logError('could not update the progress message', err);
        // The result must reach the admin: if the progress message cannot be updated, post it anew.
        if (final) await ctx.later.send(card).catch((e) => logError('could not post the result', e));
      });
    return updates;
  };
  const running = ctx.background.run(async () => {
    try {
      const result = await work((p) => {
        if (!progressId || Date.now() - lastUpdate < 1_000) return;
        lastUpdate = Date.now();
        void show(progressCard(ctx.lang, customer.displayName, p.processed, p.total, p.counts));
      }, ctx.whereToNotify(customer.displayName, progressId));
      // The draft was saved: clear it, unless the admin has started another one since.
      await ctx.updateSession((s) => (JSON.stringify(s.draft) === draftAtStart ? { ...s, draft: undefined } : s));
      await show(await renderResult(ctx, result), true);
    } catch (err) {
      const denied = err instanceof AccessDeniedError;
      // The customer's tenant refused us (consent removed, a secret expired): the card that names the
      // customer and the fix, and what became of the change. The domain logged it; other customers go on.
      const unreachable = denied ? undefined : await unreachableCard(ctx, customer, total, err, lookup);
      // The same words as when access is refused during a turn, never the error's own message.
      await show(denied ? accessDeniedCard(ctx, err) : (unreachable ?? (await failureCard(ctx, total, err, lookup))), true);
      if (!denied && !unreachable) throw err;
    }
  });
  let finished = false;
  // Within the turn's budget: what the store took before this point is not waited again.
  const wait = Math.max(0, Math.min(INLINE_WAIT_MS, (ctx.answerBy ?? Infinity) - Date.now() - 1_500));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([running.then(() => (finished = true)), new Promise((r) => (timer = setTimeout(r, wait)))]);
  clearTimeout(timer);
  return { finished };
}

/**
 * What a failed save did, truthfully: nothing (no operation was recorded), or how far it got and that
 * the rest continues by itself (the sweep takes it over; the result then replaces the progress message).
 */
async function failureCard(ctx: HandlerContext, total: number, err: unknown, lookup?: () => Promise<OperationResult | undefined>): Promise<AdaptiveCard> {
  const l = labels[ctx.lang];
  const error = (lines: string[]) => messageCard({ title: l.badInput, lines, tone: 'error' });
  let op: OperationResult | undefined;
  try {
    op = lookup && (await lookup());
  } catch {
    return error([l.savingUnconfirmed]);
  }
  if (!op) return error([lookup ? l.somethingWrong : l.savingUnconfirmed]);
  if (op.status === 'completed') return renderResult(ctx, op);
  const { succeeded, failed, noChange } = op.counts;
  const done = succeeded + failed + noChange;
  if ((err as { code?: string })?.code === 'stopping') return messageCard({ title: l.savingTitle, lines: [l.savingAfterRestart(done, total)], tone: 'warning' });
  return error([l.savingInterrupted(done, total, succeeded + noChange, failed)]);
}

/**
 * A click whose change was already started (same idempotency key): the notice to answer with, or
 * undefined for a new click. If the process saving it died, this click finishes it.
 */
export async function answerSeenClick(ctx: HandlerContext, customer: Customer, idempotencyKey: string, users: number): Promise<string | undefined> {
  const l = labels[ctx.lang];
  const seen = await ctx.service.operationByKey(ctx.actor, customer.key, idempotencyKey);
  if (!seen) return undefined;
  if (seen.stale) {
    const lookup = () => ctx.service.operation(ctx.actor, customer.key, seen.operationId);
    await withLogFields({ operationId: seen.operationId }, () => startApply(ctx, customer, users, (p) => ctx.service.resume(ctx.actor, customer.key, seen.operationId, p), lookup));
    return l.stillRunning;
  }
  return seen.status === 'running' ? l.stillRunning : l.replayed;
}

export type SubmitOutcome = { kind: 'preview'; card: AdaptiveCard } | { kind: 'replayed' | 'started' | 'finished'; notice: string };

/**
 * Saves a change: a click seen before answers with what it did; a change the domain predicts to fail
 * for some users first shows the preview (unless confirmed); otherwise it is applied.
 */
export async function submitChange(
  ctx: HandlerContext,
  input: { customer: Customer; request: LicenseChangeRequest; change: LicenseChange; previewFirst: boolean; pending: { selectionHash?: string; retryOf?: { customerKey: string; operationId: string } } },
): Promise<SubmitOutcome> {
  const l = labels[ctx.lang];
  const { customer, request } = input;
  const seen = await answerSeenClick(ctx, customer, request.idempotencyKey, request.userIds.length);
  if (seen !== undefined) return { kind: 'replayed', notice: seen };
  if (input.previewFirst) {
    const preview = await ctx.service.preview(request);
    // Also when licenses changed outside License Desk since the card was shown: the admin sees it first.
    if (preview.counts.failed > 0 || (preview.changedOutside ?? 0) > 0) {
      const cardId = randomUUID();
      await ctx.updateSession((s) => ({ ...s, pendingSave: { cardId, change: input.change, ...input.pending } }));
      const catalog = await ctx.service.catalog(ctx.actor, customer.key);
      const change = { assign: input.change.assign.map((a) => catalog.displayName(a.skuId)), remove: input.change.remove.map((r) => catalog.displayName(r)) };
      return { kind: 'preview', card: previewCard(ctx.lang, { customer, preview, cardId, canSave: preview.counts.succeeded > 0, change }) };
    }
  }
  // A restart is under way: start nothing this instance could not finish.
  if (ctx.service.stopping) return { kind: 'replayed', notice: l.restarting };
  // One click, one answer in the chat: the same invoke delivered twice at once posts one progress message.
  if (!(await ctx.service.claimAnswer(ctx.actor, customer.key, `save:${request.idempotencyKey}`))) return { kind: 'replayed', notice: l.stillRunning };
  await ctx.updateSession((s) => ({ ...s, pendingSave: undefined }));
  // The operation's id on every line of the Save, its progress updates and its result.
  const operationId = operationIdFor(customer.key, request.idempotencyKey);
  const lookup = () => ctx.service.operationByKey(ctx.actor, customer.key, request.idempotencyKey);
  const { finished } = await withLogFields({ operationId }, () =>
    startApply(ctx, customer, request.userIds.length, (p, notify) => ctx.service.apply(request, p, notify), lookup),
  );
  return finished ? { kind: 'finished', notice: '' } : { kind: 'started', notice: l.savingStarted(request.userIds.length) };
}
