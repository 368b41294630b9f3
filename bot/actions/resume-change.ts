import { z } from 'zod';
import { labels } from '../../cards/i18n';
import { messageCard } from '../../cards/simple-cards';
import { withLogFields } from '../../domain/logging';
import { startApply } from '../save';
import { renderResult } from '../views';
import { defineAction } from './action';

/**
 * Try again on the card of a change that stopped because the customer's tenant could not be reached:
 * continues that very operation from its journal (users already changed are recognised by their marks
 * or read fresh, never changed twice). Needs the change's own permissions (checked by `resume`).
 */
export const resumeChange = defineAction({
  verb: 'resumeChange',
  data: z.object({ customerKey: z.string().min(1).max(64), operationId: z.string().min(4).max(80) }),
  async handle(ctx, data) {
    const l = labels[ctx.lang];
    const op = await ctx.service.operation(ctx.actor, data.customerKey, data.operationId);
    if (!op) return { card: messageCard({ title: l.badInput, lines: [l.staleCard], tone: 'warning' }) };
    if (op.status === 'completed') return { card: await renderResult(ctx, op) };
    // Someone is running it already (a second click, the sweep, another instance): its result follows.
    if (!op.stale) return { card: messageCard({ title: l.savingTitle, lines: [l.stillRunning] }) };
    const customer = await ctx.service.customer(ctx.actor, data.customerKey);
    const total = op.userCount ?? op.results.length;
    const lookup = () => ctx.service.operation(ctx.actor, data.customerKey, data.operationId);
    await withLogFields({ operationId: data.operationId }, () =>
      startApply(ctx, customer, total, (p) => ctx.service.resume(ctx.actor, data.customerKey, data.operationId, p), lookup),
    );
    return { card: messageCard({ title: l.savingTitle, lines: [l.resumed(total)] }) };
  },
});
