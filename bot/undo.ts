// Undo from a card: the preview (always shown first), then the undo saved as a change of its own — the
// same submitChange path as Save, so idempotency, progress and the result card are Save's.
import { randomUUID } from 'node:crypto';
import { labels } from '../cards/i18n';
import type { AdaptiveCard } from '../cards/render';
import { changeSummary } from '../cards/results-cards';
import { messageCard } from '../cards/simple-cards';
import { undoPreviewCard } from '../cards/undo-card';
import type { OperationResult } from '../domain/service';
import { LARGE_SELECTION } from './actions/save-licenses';
import { afterTheTurn, type HandlerContext } from './context';
import { guard } from './guard';
import { idempotencyKeys, submitChange } from './save';
import { renderResult } from './views';

/** What the undone change did, in a line: "Assigned: Office 365 E3 → 3 users". */
function undoneWhat(ctx: HandlerContext, undone: OperationResult, name: (skuId: string) => string): string {
  const done = undone.results.filter((r) => r.status === 'succeeded');
  const assigned = [...new Set(done.flatMap((r) => [...r.added, ...r.updated]))].map(name);
  const removed = [...new Set(done.flatMap((r) => r.removed))].map(name);
  return changeSummary(ctx.lang, assigned, removed, done.length);
}

export async function renderUndoPreview(ctx: HandlerContext, customerKey: string, operationId: string): Promise<AdaptiveCard> {
  const l = labels[ctx.lang];
  const undone = await ctx.service.operation(ctx.actor, customerKey, operationId);
  if (!undone) return messageCard({ title: l.badInput, lines: [l.staleCard], tone: 'warning' });
  if (undone.results.length >= LARGE_SELECTION) {
    // Checking thousands of users takes seconds and Teams retries an invoke after 15: answer now and
    // post the preview as a new message, as Save does.
    const later = afterTheTurn(ctx);
    void ctx.background.run(async () => ctx.later.send(await guard(later, () => undoPreview(later, undone))));
    return messageCard({ title: l.undoTitle, lines: [l.checkingUndo(undone.counts.succeeded)], actions: [{ title: l.backToResult, verb: 'resultsPage', data: { operationId, customerKey, page: 1 } }] });
  }
  return undoPreview(ctx, undone);
}

async function undoPreview(ctx: HandlerContext, undone: OperationResult): Promise<AdaptiveCard> {
  const { customerKey, operationId } = undone;
  const cardId = randomUUID();
  const request = await ctx.service.undoRequest(ctx.actor, customerKey, operationId, idempotencyKeys.undoClick(operationId, cardId));
  // Authorized as the change itself: a reader is refused here, before seeing Undo now.
  const preview = await ctx.service.preview(request);
  const [customer, catalog] = await Promise.all([ctx.service.customer(ctx.actor, customerKey), ctx.service.catalog(ctx.actor, customerKey)]);
  const name = (id: string) => catalog.displayName(id);
  return undoPreviewCard(ctx.lang, { customer, undone, undoneWhat: undoneWhat(ctx, undone, name), preview, cardId, productName: name });
}

/** Saves the undo the preview `cardId` showed; the same click again finds it recorded and changes nothing. */
export async function runUndo(ctx: HandlerContext, customerKey: string, operationId: string, cardId: string): Promise<AdaptiveCard> {
  const l = labels[ctx.lang];
  const undone = await ctx.service.operation(ctx.actor, customerKey, operationId);
  if (!undone) return messageCard({ title: l.badInput, lines: [l.staleCard], tone: 'warning' });
  const request = await ctx.service.undoRequest(ctx.actor, customerKey, operationId, idempotencyKeys.undoClick(operationId, cardId));
  // Refused here, in the clicked card, rather than in a progress message after the turn.
  await ctx.service.checkChange(request);
  const customer = await ctx.service.customer(ctx.actor, customerKey);
  const change = { assign: request.licensesToAssign ?? [], remove: request.licensesToRemove ?? [] };
  const outcome = await submitChange(ctx, { customer, request, change, previewFirst: false, pending: {} });
  const notice = outcome.kind === 'preview' || outcome.kind === 'finished' ? '' : outcome.notice || l.undoStarted;
  return renderResult(ctx, undone, 1, notice);
}
