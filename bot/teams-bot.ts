// The only file that knows botbuilder's activity handling: it turns Teams activities into router calls
// and router answers into replies. Replacing botbuilder (Microsoft 365 Agents SDK) means replacing this,
// adapter.ts and server.ts; commands, actions, cards and the domain stay as they are.
import {
  CardFactory,
  TeamsActivityHandler,
  TurnContext,
  type CloudAdapter,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import { z } from 'zod';
import { labels, langOf } from '../cards/i18n';
import { messageCard } from '../cards/simple-cards';
import type { AdaptiveCard } from '../cards/render';
import type { BotDeps, ConversationPort, HandlerContext } from './context';
import { runAction, runText, type ActionOutcome } from './router';
import { logError } from './log';
import { sessionIdFor } from './session';
import { turnSession, type TurnSession } from './turn-session';
import { turnReads } from './turn-reads';
import { operationNotifier } from './operation-notifier';
import type { OperationNotifier } from '../domain/service';
import { unsupportedInvokeAnswer } from './unsupported-invokes';

const invokeValueSchema = z.object({
  action: z.object({ type: z.literal('Action.Execute'), verb: z.string().min(1).max(64), data: z.record(z.string(), z.unknown()).optional() }),
});

const submitValueSchema = z.object({ verb: z.string().min(1).max(64) }).catchall(z.unknown());

/** An invoke is answered within this, whatever the store does (Teams retries after 15 s). */
export const INVOKE_BUDGET_MS = 10_000;

/** Longer text is answered, not parsed: room for about 10,000 pasted user names, and no more. */
export const MAX_COMMAND_CHARS = 400_000;

/** A turn's context, with the end of its session (see turn-session.ts). */
type TurnContextFor = HandlerContext & Pick<TurnSession, 'endTurn'>;

const asMessage = (card: AdaptiveCard) => ({ type: 'message' as const, attachments: [CardFactory.adaptiveCard(card)] });

export class LicenseDeskBot extends TeamsActivityHandler {
  constructor(
    private readonly deps: BotDeps,
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {
    super();
    this.onMessage(async (turn, next) => {
      await this.handleMessage(turn);
      await next();
    });
    this.onMembersAdded(async (turn, next) => {
      // Welcome once, when the bot itself joins a chat or team.
      if (turn.activity.membersAdded?.some((m) => m.id === turn.activity.recipient.id)) {
        const ctx = this.contextFor(turn);
        const card = await runText(ctx, 'help');
        await this.endTurn(ctx);
        await turn.sendActivity(asMessage(card));
      }
      await next();
    });
  }

  private async handleMessage(turn: TurnContext) {
    const ctx = this.contextFor(turn);
    const { value } = turn.activity;
    if (value !== undefined && value !== null) {
      // Action.Submit: the card's data arrives as the message value; replace the card it came from.
      const submit = submitValueSchema.safeParse(value);
      const { card } = await this.ended(ctx, runAction(ctx, submit.success ? submit.data.verb : undefined, submit.success ? submit.data : {}));
      if (turn.activity.replyToId) await turn.updateActivity({ ...asMessage(card), id: turn.activity.replyToId });
      else await turn.sendActivity(asMessage(card));
      return;
    }
    const text = turn.activity.text ?? '';
    if (text.length > MAX_COMMAND_CHARS) {
      const l = labels[ctx.lang];
      await turn.sendActivity(asMessage(messageCard({ title: l.badInput, lines: [l.messageTooLong(text.length, MAX_COMMAND_CHARS)], tone: 'warning' })));
      return;
    }
    const card = await runText(ctx, text);
    await this.endTurn(ctx);
    await turn.sendActivity(asMessage(card));
  }

  /** The turn's session changes are stored (one write) before its answer goes out: the next click reads them. */
  private async endTurn(ctx: TurnContextFor): Promise<boolean> {
    try {
      await ctx.endTurn();
      return true;
    } catch (err) {
      logError('could not store the session at the end of the turn', err);
      return false;
    }
  }

  /** `outcome`, once the turn's session is stored; an error card if it could not be. */
  private async ended(ctx: TurnContextFor, outcome: Promise<ActionOutcome>): Promise<ActionOutcome> {
    const result = await outcome.catch(async (err) => {
      await this.endTurn(ctx);
      throw err;
    });
    if (await this.endTurn(ctx)) return result;
    const l = labels[ctx.lang];
    return { status: 200, card: messageCard({ title: l.badInput, lines: [l.somethingWrong], tone: 'error' }) };
  }

  /**
   * Action.Execute: answered in the invoke response, which replaces the clicked card in place. Every
   * other invoke gets the answer Teams expects for its name (never botbuilder's 501 "not implemented").
   */
  protected override async onInvokeActivity(turn: TurnContext): Promise<InvokeResponse> {
    if (turn.activity.name !== 'adaptiveCard/action') return unsupportedInvokeAnswer(turn.activity.name, langOf(turn.activity.locale));
    const parsed = invokeValueSchema.safeParse(turn.activity.value);
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } } };
    }
    const { verb, data } = parsed.data.action;
    // Teams retries an invoke not answered within 15 s. A slow store (stalls, retries) must not make it:
    // past the budget the invoke is answered "the answer follows", and the action's card is posted then.
    const answered = { late: false };
    const ctx = this.contextFor(turn, answered, Date.now() + INVOKE_BUDGET_MS);
    const running = this.ended(ctx, runAction(ctx, verb, data ?? {}));
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([running, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), INVOKE_BUDGET_MS)))]);
    clearTimeout(timer);
    if (!inTime) {
      answered.late = true;
      void this.deps.background.run(async () => ctx.later.send((await running).card));
      return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: messageCard({ title: labels[ctx.lang].manageLicenses, lines: [labels[ctx.lang].answerFollows], tone: 'warning' }) } };
    }
    const outcome = inTime;
    if (outcome.status === 400) {
      const message = textOf(outcome.card);
      return { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message } } };
    }
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: outcome.card } };
  }

  /**
   * `answered.late`: the invoke was answered already (past its budget), so the turn is over and what the
   * action posts goes through the connector. `answerBy`: when the invoke must be answered.
   */
  private contextFor(turn: TurnContext, answered = { late: false }, answerBy?: number): TurnContextFor {
    const { activity } = turn;
    const from = activity.from ?? { id: 'unknown', name: '' };
    const sessionId = sessionIdFor(activity.conversation?.id ?? 'none', from.aadObjectId ?? from.id);
    const reference = TurnContext.getConversationReference(activity);
    const later = this.proactive(reference);
    const inTurn: ConversationPort = {
      send: async (card) => (answered.late ? later.send(card) : (await turn.sendActivity(asMessage(card)))?.id),
      update: async (id, card) => {
        if (answered.late) await later.update(id, card);
        else await turn.updateActivity({ ...asMessage(card), id });
      },
    };
    const deps = this.deps;
    const actor = actorOf(activity, deps.localMode);
    const lang = langOf(activity.locale);
    const session = turnSession(deps.sessions, sessionId, { deferWrites: true });
    const reads = turnReads(deps.service);
    return {
      ...deps,
      service: reads.service,
      actor,
      lang,
      sessionId,
      conversation: inTurn,
      later,
      answerBy,
      session: session.session,
      updateSession: session.updateSession,
      updateSessionNow: session.updateSessionNow,
      endTurn: async () => {
        reads.endTurn();
        await session.endTurn();
      },
      whereToNotify: (customerName, progressId) => ({ reference, progressId, lang, customerName, actor: { ...actor, displayName: actor.displayName ?? '' } }),
    };
  }

  /** Tells the admin the end of a change this instance finishes for another (see operation-notifier.ts). */
  operationNotifier(): OperationNotifier {
    return operationNotifier(this.deps, (reference) => this.proactive(reference as unknown as Partial<ConversationReference>));
  }

  /** Messages after the turn has been answered, through the connector (continueConversation). */
  private proactive(reference: Partial<ConversationReference>): ConversationPort {
    const withTurn = <T>(work: (turn: TurnContext) => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        // Catch inside: an error thrown here would go to onTurnError and this promise never settle.
        this.adapter
          .continueConversationAsync(this.appId, reference, async (turn) => {
            try {
              resolve(await work(turn));
            } catch (err) {
              reject(err);
            }
          })
          .catch(reject);
      });
    return {
      send: (card) => withTurn(async (turn) => (await turn.sendActivity(asMessage(card)))?.id),
      update: (id, card) => withTurn(async (turn) => void (await turn.updateActivity({ ...asMessage(card), id }))),
    };
  }
}

/**
 * Who is acting. In production only Teams vouches for a person (the connector's token covers the
 * activity): their Entra object id and tenant. Locally the playground's made-up ids stand for the
 * partner's admins, and its tenant for the partner's.
 */
export function actorOf(activity: TurnContext['activity'], localMode: boolean) {
  const from = activity.from ?? { id: '', name: '' };
  if (localMode) return { aadObjectId: from.aadObjectId, userId: from.id, displayName: from.name ?? '' };
  const trusted = activity.channelId === 'msteams';
  const tenantId = (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? activity.conversation?.tenantId;
  return { aadObjectId: trusted ? from.aadObjectId : undefined, tenantId: tenantId ?? 'unknown', displayName: from.name ?? '' };
}

/** The lines of a message card, for an error banner. */
function textOf(card: AdaptiveCard): string {
  return (card.body as { text?: string }[]).map((b) => b.text).filter(Boolean).join(' ');
}
