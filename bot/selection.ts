// The selection lives on the server; each card only reports the ticks of the page it shows.
import { z } from 'zod';
import { MAX_USERS_PER_CHANGE } from '../domain/model';

/** Teams sends a multi-select as "a,b,c", and leaves it out entirely when nothing is ticked. */
export const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean))
  .refine((ids) => ids.length <= 1000 && ids.every((id) => id.length <= 64), 'at most 1,000 ids of at most 64 characters');

/** New selection = old selection, minus this page's users, plus this page's ticks. */
export function mergeSelection(selected: string[], pageUserIds: string[], ticked: string[]): string[] {
  const page = new Set(pageUserIds);
  // Ticks count only for users the card says were on its page. Both lists come from the card, so this
  // is consistency, not security: ids are resolved within the customer, and unknown ones fail alone.
  const ticks = ticked.filter((id) => page.has(id));
  const kept = selected.filter((id) => !page.has(id));
  return [...new Set([...kept, ...ticks])];
}

export const MAX_SELECTED = MAX_USERS_PER_CHANGE;

/** Data every users-list action carries: the ids shown on the page and the ticks among them. */
export const pageTicksSchema = z.object({ pageUserIds: idList, selection: idList });

/** Records the ticks of the page the admin was looking at, before doing what they clicked. */
export async function rememberTicks(
  ctx: { updateSession(change: (s: { selected: string[] }) => { selected: string[] }): Promise<unknown> },
  data: { pageUserIds: string[]; selection: string[] },
): Promise<void> {
  if (!data.pageUserIds.length) return;
  await ctx.updateSession((s) => {
    const selected = mergeSelection(s.selected, data.pageUserIds, data.selection);
    if (selected.length > MAX_SELECTED) throw new SelectionTooLargeError();
    return { ...s, selected };
  });
}

/** More than MAX_SELECTED ticked: the cards say so in the admin's language. */
export class SelectionTooLargeError extends Error {
  constructor() {
    super('selectionTooLarge');
  }
}
