import { z } from 'zod';
import { labels } from '../../cards/i18n';
import { messageCard } from '../../cards/simple-cards';
import { guard } from '../guard';
import { afterTheTurn } from '../context';
import { answerSeenClick, changeFromInputs, idempotencyKeys, isCurrentCard, isEmptyChange, requestFor, submitChange } from '../save';
import { currentCustomer, emptyDraft, renderManage, selectedIdsSorted } from '../views';
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
    // The selected users in sort-key order (seats go in that order), not read: there may be 100,000.
    const { ids: userIds } = await selectedIdsSorted(ctx, customer);
    if (!userIds.length) return { card: await renderManage(ctx) };
    // Keyed on what was clicked (card + its inputs + the users): Teams' retry of the same click is
    // recognised as done, even though the card it came from has since been replaced.
    const clicked = Object.fromEntries(Object.entries(data).filter(([k]) => k.startsWith('product_')).sort());
    const idempotencyKey = idempotencyKeys.saveClick(ctx.sessionId, data.cardId, clicked, userIds);
    const seen = await answerSeenClick(ctx, customer, idempotencyKey, userIds.length);
    if (seen !== undefined) return { card: await renderManage(ctx, seen) };

    // Only the card last shown to this admin, for the selection it showed, may save: an older card, or
    // one whose selection changed since (or another admin's, in a shared chat), would save the wrong thing.
    const session = await ctx.session();
    const shown = session.manageCard;
    if (!isCurrentCard(shown, data.cardId, userIds)) return { card: await renderManage(ctx, l.staleCard) };
    const products = await ctx.service.products(ctx.actor, customer.key);
    const draft = session.draft ?? emptyDraft();
    const { change, choices } = changeFromInputs(data, products, shown.baseline, draft);
    await ctx.updateSession((s) => ({ ...s, draft: { ...draft, choices } }));
    if (isEmptyChange(change)) return { card: await renderManage(ctx, l.nothingToSave) };
    const request = requestFor(ctx, customer.key, userIds, change, idempotencyKey);
    const submission = { customer, request, change, previewFirst: true, pending: { selectionHash: shown.selectionHash } };
    if (userIds.length >= LARGE_SELECTION) {
      // Checking thousands of users takes seconds and Teams retries an invoke after 15: answer now, and
      // post the preview, or the progress and result, as a new message. Once per click: the same
      // invoke delivered again (even at the same moment) is answered without a second check or message.
      if (!(await ctx.service.claimAnswer(ctx.actor, customer.key, `large:${idempotencyKey}`))) {
        return { card: messageCard({ title: l.manageLicenses, lines: [l.answeredAbove], actions: [{ title: l.backToUsers, verb: 'usersPage', data: { move: 'stay' } }] }) };
      }
      const later = afterTheTurn(ctx);
      void ctx.background.run(async () => {
        const card = await guard(later, async () => {
          const outcome = await submitChange(later, submission);
          return outcome.kind === 'preview' ? outcome.card : null;
        });
        if (card) await ctx.later.send(card);
      });
      return { card: messageCard({ title: l.manageLicenses, lines: [l.checkingLarge(userIds.length)], actions: [{ title: l.backToUsers, verb: 'usersPage', data: { move: 'stay' } }] }) };
    }
    const outcome = await submitChange(ctx, submission);
    return { card: outcome.kind === 'preview' ? outcome.card : await renderManage(ctx, outcome.notice) };
  },
});
