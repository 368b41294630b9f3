import { z } from 'zod';
import { labels } from '../../cards/i18n';
import { idempotencyKeys, isCurrentCard, requestFor, submitChange } from '../save';
import { currentCustomer, renderManage, renderResult, selectedIdsSorted } from '../views';
import { defineAction } from './action';

/** "Save anyway" on the preview: applies the change it showed, if that card is still the current one. */
export const confirmSave = defineAction({
  verb: 'confirmSave',
  data: z.object({ cardId: z.string().min(8).max(64) }),
  async handle(ctx, data) {
    const l = labels[ctx.lang];
    const session = await ctx.session();
    const pending = session.pendingSave;
    if (!isCurrentCard(pending, data.cardId)) {
      // Already confirmed (a retried click) or superseded: the key tells which, and nothing is applied twice.
      return { card: await renderManage(ctx, l.staleCard) };
    }
    if (pending.retryOf) {
      const { customerKey, operationId } = pending.retryOf;
      const request = await ctx.service.retryRequest(ctx.actor, customerKey, operationId, idempotencyKeys.retryConfirmed(operationId, data.cardId));
      const customer = await ctx.service.customer(ctx.actor, customerKey);
      if (request) await submitChange(ctx, { customer, request, change: pending.change, previewFirst: false, pending: {} });
      const original = await ctx.service.operation(ctx.actor, customerKey, operationId);
      return { card: original ? await renderResult(ctx, original) : await renderManage(ctx) };
    }
    const customer = await currentCustomer(ctx);
    const { ids: userIds } = await selectedIdsSorted(ctx, customer);
    if (!isCurrentCard(pending, data.cardId, userIds)) return { card: await renderManage(ctx, l.staleCard) };
    const request = requestFor(ctx, customer.key, userIds, pending.change, idempotencyKeys.saveClick(ctx.sessionId, data.cardId, pending.change, userIds));
    const outcome = await submitChange(ctx, { customer, request, change: pending.change, previewFirst: false, pending: {} });
    return { card: outcome.kind === 'preview' ? outcome.card : await renderManage(ctx, outcome.notice) };
  },
});
