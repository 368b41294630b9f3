import { z } from 'zod';
import { labels } from '../../cards/i18n';
import { changeFromInputs, idempotencyKeyFor, isEmptyChange, requestFor, selectionHash, submitChange } from '../save';
import { currentCustomer, emptyDraft, renderManage, selectedUsersSorted } from '../views';
import { defineAction } from './action';

/** Save in Manage licenses: preview first when some users would fail, else apply. */
export const saveLicenses = defineAction({
  verb: 'saveLicenses',
  data: z.object({ cardId: z.string().min(8).max(64) }).catchall(z.unknown()),
  async handle(ctx, data) {
    const l = labels[ctx.lang];
    const customer = await currentCustomer(ctx);
    const users = await selectedUsersSorted(ctx, customer);
    if (!users.length) return { card: await renderManage(ctx) };
    const products = await ctx.service.products(ctx.actor, customer.key);
    const session = await ctx.session();
    const draft = session.draft ?? emptyDraft();
    const { change, choices } = changeFromInputs(data, products, users, draft);
    await ctx.updateSession((s) => ({ ...s, draft: { ...draft, choices } }));
    if (isEmptyChange(change)) return { card: await renderManage(ctx, l.nothingToSave) };
    const userIds = users.map((u) => u.id);
    const request = requestFor(ctx, customer.key, userIds, change, idempotencyKeyFor(ctx.sessionId, data.cardId, change, userIds));
    const outcome = await submitChange(ctx, { customer, request, change, previewFirst: true, pending: { selectionHash: selectionHash(userIds) } });
    return { card: outcome.kind === 'preview' ? outcome.card : await renderManage(ctx, outcome.notice) };
  },
});
