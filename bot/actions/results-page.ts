import { z } from 'zod';
import { labels } from '../../cards/i18n';
import { messageCard } from '../../cards/simple-cards';
import { renderResult } from '../views';
import { defineAction } from './action';

/** Pages through "Licenses updated" when it is larger than one card; also opens one from history. */
export const resultsPage = defineAction({
  verb: 'resultsPage',
  data: z.object({ operationId: z.string().min(4).max(80), customerKey: z.string().min(1).max(64), page: z.coerce.number().int().min(1).max(100_000) }),
  async handle(ctx, data) {
    const result = await ctx.service.operation(ctx.actor, data.customerKey, data.operationId);
    if (!result) return { card: messageCard({ title: labels[ctx.lang].badInput, lines: [labels[ctx.lang].staleCard], tone: 'warning' }) };
    return { card: await renderResult(ctx, result, data.page) };
  },
});
