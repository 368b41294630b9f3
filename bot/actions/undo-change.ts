import { z } from 'zod';
import { renderUndoPreview } from '../undo';
import { defineAction } from './action';

/** Undo on a result or a history entry: first the preview (who would be put back, who cannot and why). */
export const undoChange = defineAction({
  verb: 'undoChange',
  data: z.object({ operationId: z.string().min(4).max(80), customerKey: z.string().min(1).max(64) }),
  async handle(ctx, data) {
    return { card: await renderUndoPreview(ctx, data.customerKey, data.operationId) };
  },
});
