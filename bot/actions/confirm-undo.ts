import { z } from 'zod';
import { runUndo } from '../undo';
import { defineAction } from './action';

/** "Undo now" on the undo preview: applies the undo as a change of its own (progress, then result). */
export const confirmUndo = defineAction({
  verb: 'confirmUndo',
  data: z.object({ operationId: z.string().min(4).max(80), customerKey: z.string().min(1).max(64), cardId: z.string().min(8).max(64) }),
  async handle(ctx, data) {
    return { card: await runUndo(ctx, data.customerKey, data.operationId, data.cardId) };
  },
});
