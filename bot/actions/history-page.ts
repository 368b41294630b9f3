import { z } from 'zod';
import { renderHistory } from '../views';
import { defineAction } from './action';

/** Pages through the history: older changes from where the card ended, or back to the newest. */
export const historyPage = defineAction({
  verb: 'historyPage',
  data: z.object({
    customerKey: z.string().min(1).max(64),
    before: z.iso.datetime().optional(),
    // The ids already shown of the last instant on the page (comma-joined, as a card sends lists).
    shown: z.string().max(2_000).optional(),
  }),
  async handle(ctx, data) {
    const anchor = data.before ? { before: data.before, shown: (data.shown ?? '').split(',').filter(Boolean) } : undefined;
    return { card: await renderHistory(ctx, data.customerKey, anchor) };
  },
});
