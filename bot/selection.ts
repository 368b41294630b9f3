// The selection lives on the server; each card only reports the ticks of the page it shows. How it is
// stored (a base in chunk documents plus small deltas in the session): selection-store.ts.
import { z } from 'zod';
import { MAX_USERS_PER_CHANGE } from '../domain/model';
import type { HandlerContext } from './context';
import type { Session } from './session';
import { SelectionBaseGone, SelectionTooLargeError, type Selection, type SelectionEdit, type SelectionRef } from './selection-store';

export { SelectionTooLargeError, type Selection } from './selection-store';

/** Teams sends a multi-select as "a,b,c", and leaves it out entirely when nothing is ticked. */
export const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean))
  .refine((ids) => ids.length <= 1000 && ids.every((id) => id.length <= 64), 'at most 1,000 ids of at most 64 characters');

/** One selection is one change: at most as many users as a change may name. */
export const MAX_SELECTED = MAX_USERS_PER_CHANGE;

/** Data every users-list action carries: the ids shown on the page and the ticks among them. */
export const pageTicksSchema = z.object({ pageUserIds: idList, selection: idList });

type SelectionContext = Pick<HandlerContext, 'session' | 'updateSession' | 'updateSessionNow' | 'sessions' | 'sessionId'>;

/** How often a click re-reads the session when another click replaced the selection's base meanwhile. */
const ATTEMPTS = 5;

/** The admin's selection now (count, has, ids, hash). */
export async function currentSelection(ctx: SelectionContext): Promise<Selection> {
  let session = await ctx.session();
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.sessions.selections.open(ctx.sessionId, session.selection);
    } catch (err) {
      if (!(err instanceof SelectionBaseGone) || attempt >= ATTEMPTS) throw err;
      session = await ctx.sessions.get(ctx.sessionId);
    }
  }
}

const sameRef = (a: SelectionRef, b: SelectionRef) =>
  a.base?.key === b.base?.key && a.added.length === b.added.length && a.removed.length === b.removed.length && a.added.every((id, i) => b.added[i] === id) && a.removed.every((id, i) => b.removed[i] === id);

class SelectionMoved extends Error {}

/**
 * Changes the selection (and, with `also`, the rest of the session in the same write). A base written
 * for this change is named by the session only if nobody changed the selection since it was read;
 * otherwise the change is worked out again on what is stored. The base the session named before is
 * deleted once it is replaced. SelectionTooLargeError past MAX_SELECTED, before anything is written.
 */
export async function changeSelection(ctx: SelectionContext, edit: SelectionEdit, also: (s: Session) => Session = (s) => s): Promise<number> {
  const store = ctx.sessions.selections;
  let session = await ctx.session();
  for (let attempt = 1; ; attempt++) {
    const before = session.selection;
    let written: SelectionRef['base'];
    try {
      const current = await store.open(ctx.sessionId, before);
      const next = await store.apply(ctx.sessionId, current, edit, MAX_SELECTED);
      written = next.written;
      // A new base is named in the stored session before the old one is deleted: written now. Delta
      // changes may wait for the end of the turn's one write.
      const replacesBase = before.base?.key !== next.ref.base?.key;
      await (replacesBase ? ctx.updateSessionNow : ctx.updateSession)((s) => {
        // Our own write, repeated after a lost reply, is recognised.
        if (sameRef(s.selection, next.ref)) return also(s);
        if (sameRef(s.selection, before)) return also({ ...s, selection: next.ref });
        // Another click changed only the deltas of the same base meanwhile: this edit again, on top of theirs.
        const again = !replacesBase && s.selection.base?.key === before.base?.key ? store.editInline(current.withRef(s.selection), edit, MAX_SELECTED) : undefined;
        if (again) return also({ ...s, selection: again });
        throw new SelectionMoved();
      });
      if (before.base && before.base.key !== next.ref.base?.key) await store.discard(ctx.sessionId, before.base).catch(() => undefined);
      return next.count;
    } catch (err) {
      if (!(err instanceof SelectionMoved || err instanceof SelectionBaseGone) || attempt >= ATTEMPTS) throw err;
      // A base we wrote that the session will not name: gone again (unless the session names the same one).
      session = await ctx.sessions.get(ctx.sessionId);
      if (written && written.key !== session.selection.base?.key) await store.discard(ctx.sessionId, written).catch(() => undefined);
    }
  }
}

/** Another customer: a new session (users of one customer mean nothing at another), the old selection's chunks deleted. */
export function startOver(ctx: SelectionContext, customerKey: string): Promise<number> {
  return changeSelection(ctx, { kind: 'replace', ids: [] }, (s) => (s.customerKey === customerKey ? s : { id: s.id, customerKey, selection: s.selection, filter: {}, anchor: {} }));
}

/** Records the ticks of the page the admin was looking at, before doing what they clicked. */
export async function rememberTicks(ctx: SelectionContext, data: { pageUserIds: string[]; selection: string[] }): Promise<void> {
  if (!data.pageUserIds.length) return;
  // Ticks count only for users the card says were on its page. Both lists come from the card, so this
  // is consistency, not security: ids are resolved within the customer, and unknown ones fail alone.
  await changeSelection(ctx, { kind: 'page', pageIds: data.pageUserIds, ticked: data.selection });
}
