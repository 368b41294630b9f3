import { z } from 'zod';
import { labels } from '../../cards/i18n';
import { messageCard } from '../../cards/simple-cards';
import { idempotencyKeys, submitChange } from '../save';
import { renderResult } from '../views';
import { defineAction } from './action';

/** Re-runs only the users an operation failed for, with the same licenses; checked again first. */
export const retryFailed = defineAction({
  verb: 'retryFailed',
  data: z.object({ operationId: z.string().min(4).max(80), customerKey: z.string().min(1).max(64), cardId: z.string().min(8).max(64).optional() }),
  async handle(ctx, data) {
    const l = labels[ctx.lang];
    const original = await ctx.service.operation(ctx.actor, data.customerKey, data.operationId);
    if (!original) return { card: messageCard({ title: l.badInput, lines: [l.staleCard], tone: 'warning' }) };
    // One key per click on one rendering of the result: a repeated click retries once; a later click
    // (after buying seats, say) on a fresh rendering retries again.
    const request = await ctx.service.retryRequest(ctx.actor, data.customerKey, data.operationId, idempotencyKeys.retryClick(data.operationId, ctx.sessionId, data.cardId));
    if (!request) return { card: await renderResult(ctx, original) };
    const change = { assign: request.licensesToAssign ?? [], remove: request.licensesToRemove ?? [] };
    const customer = await ctx.service.customer(ctx.actor, data.customerKey);
    const outcome = await submitChange(ctx, { customer, request, change, previewFirst: true, pending: { retryOf: { customerKey: data.customerKey, operationId: data.operationId } } });
    return { card: outcome.kind === 'preview' ? outcome.card : await renderResult(ctx, original, 1, outcome.notice || l.retryStarted) };
  },
});
