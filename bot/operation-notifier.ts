// Telling the admin the end of a change wherever it is finished. The Save turn stores where the admin
// waits with the operation (`whereToNotify`: the conversation reference, the progress message, the
// language and who acted); after a crash, the instance whose recovery sweep finishes the operation
// updates that progress message with the progress and then the result, through the connector.
import { z } from 'zod';
import { progressCard } from '../cards/simple-cards';
import type { OperationNotifier } from '../domain/service';
import type { BotDeps, ConversationPort, HandlerContext } from './context';
import { logError } from './log';
import { sessionIdFor } from './session';
import { turnSession } from './turn-session';
import { renderResult } from './views';

/** What a Save stores with its operation; checked when read back (it comes from the store). */
const notifyTargetSchema = z.object({
  reference: z.object({ conversation: z.object({ id: z.string().min(1) }).loose() }).loose(),
  progressId: z.string().min(1).max(1024).optional(),
  lang: z.enum(['en', 'de']),
  customerName: z.string().max(512),
  actor: z.object({ aadObjectId: z.string().optional(), userId: z.string().optional(), tenantId: z.string().optional(), displayName: z.string() }),
});
export type NotifyTarget = z.infer<typeof notifyTargetSchema>;

/** The stored target, or undefined when there is none (or it is not one of ours). */
export function notifyTargetOf(notify: unknown): NotifyTarget | undefined {
  const parsed = notifyTargetSchema.safeParse(notify);
  return parsed.success ? parsed.data : undefined;
}

export function operationNotifier(deps: BotDeps, conversationAt: (reference: NotifyTarget['reference']) => ConversationPort): OperationNotifier {
  return {
    async progress(notify, p) {
      const target = notifyTargetOf(notify);
      if (!target?.progressId) return;
      await conversationAt(target.reference)
        .update(target.progressId, progressCard(target.lang, target.customerName, p.processed, p.total, p.counts))
        .catch((err) => logError('could not update the progress message of a resumed change', err));
    },
    async finished(notify, result) {
      const target = notifyTargetOf(notify);
      if (!target) return;
      const port = conversationAt(target.reference);
      const person = target.actor.aadObjectId ?? target.actor.userId ?? 'unknown';
      const ctx: HandlerContext = {
        ...deps,
        actor: target.actor,
        lang: target.lang,
        sessionId: sessionIdFor(target.reference.conversation.id, person),
        conversation: port,
        later: port,
        ...turnSession(deps.sessions, sessionIdFor(target.reference.conversation.id, person)),
        whereToNotify: () => undefined,
      };
      const card = await renderResult(ctx, result);
      if (target.progressId) {
        try {
          await port.update(target.progressId, card);
          return;
        } catch (err) {
          logError('could not update the progress message with the result; posting it', err);
        }
      }
      await port.send(card);
    },
  };
}
