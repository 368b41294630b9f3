import { z } from 'zod';
import { labels } from '../../cards/i18n';
import { changeFromInputs, idempotencyKeyFor, isEmptyChange, requestFor, selectionHash, submitChange } from '../save';
import { messageCard } from '../../cards/simple-cards';
import { currentCustomer, emptyDraft, renderManage, selectedUsersSorted } from '../views';
import { defineAction } from './action';

/** From this many users on, Save answers at once and checks and applies in the background. */
export const LARGE_SELECTION = 1000;

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
    const userIds = users.map((u) => u.id);
    // Keyed on what was clicked (card + its inputs), not on the derived change: a retried click after the
    // change is done derives "nothing to do", but must still be recognised as the same click.
    const clicked = Object.fromEntries(Object.entries(data).filter(([k]) => k.startsWith('product_')).sort());
    const request = requestFor(ctx, customer.key, userIds, change, idempotencyKeyFor(ctx.sessionId, data.cardId, clicked, userIds));
    if (isEmptyChange(change)) {
      const seen = await ctx.service.operationByKey(ctx.actor, customer.key, request.idempotencyKey);
      return { card: await renderManage(ctx, seen ? l.replayed : l.nothingToSave) };
    }
    const submission = { customer, request, change, previewFirst: true, pending: { selectionHash: selectionHash(userIds) } };
    if (userIds.length >= LARGE_SELECTION) {
      // Checking thousands of users takes seconds and Teams retries an invoke after 15: answer now, and
      // post the preview or the progress as a new message.
      if (await ctx.service.operationByKey(ctx.actor, customer.key, request.idempotencyKey)) return { card: messageCard({ title: l.manageLicenses, lines: [l.replayed] }) };
      const later = { ...ctx, conversation: ctx.later };
      void ctx.background.run(async () => {
        const outcome = await submitChange(later, submission);
        if (outcome.kind === 'preview') await ctx.later.send(outcome.card);
      });
      return { card: messageCard({ title: l.manageLicenses, lines: [l.checkingLarge(userIds.length)], actions: [{ title: l.backToUsers, verb: 'usersPage', data: { move: 'stay' } }] }) };
    }
    const outcome = await submitChange(ctx, submission);
    return { card: outcome.kind === 'preview' ? outcome.card : await renderManage(ctx, outcome.notice) };
  },
});
