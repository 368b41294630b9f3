// What every command and card action gets: the domain service, the admin's session, and a way to talk
// to the conversation that does not depend on botbuilder (so the bot layer can move to the Agents SDK).
import type { AdaptiveCard } from '../cards/render';
import type { Lang } from '../cards/i18n';
import type { Actor } from '../domain/access';
import type { LicenseService } from '../domain/service';
import type { ResultLinks } from './result-links';
import type { Session, SessionRepository } from './session';

export interface ConversationPort {
  /** Posts a card as a new message; its id, when the channel returns one (needed to update it). */
  send(card: AdaptiveCard): Promise<string | undefined>;
  /** Replaces a message the bot sent earlier. */
  update(activityId: string, card: AdaptiveCard): Promise<void>;
}

export interface BotDeps {
  /** No app id: the Agents Playground's made-up ids and tenant are accepted (never in production). */
  localMode: boolean;
  service: LicenseService;
  sessions: SessionRepository;
  buyMoreUrl: string;
  background: BackgroundWork;
  /** Signed download links for results (Download CSV); absent when the bot's address is unknown. */
  resultLinks?: ResultLinks;
}

export interface HandlerContext extends BotDeps {
  actor: Required<Pick<Actor, 'displayName'>> & Actor;
  lang: Lang;
  sessionId: string;
  /** The conversation during this turn. */
  conversation: ConversationPort;
  /** The conversation after this turn has been answered (proactive messages). */
  later: ConversationPort;
  session(): Promise<Session>;
  updateSession(change: (s: Session) => Session): Promise<Session>;
  /** As updateSession, but stored before it returns (updateSession may keep the write for the end of the turn). */
  updateSessionNow(change: (s: Session) => Session): Promise<Session>;
  /**
   * Where this admin waits for a change, as an opaque value stored with the operation: whichever
   * instance finishes it (after a crash, the recovery sweep) updates `progressId` to the result.
   */
  whereToNotify(customerName: string, progressId: string | undefined): unknown;
  /** When the turn must be answered (an invoke's budget, epoch ms); work that may wait longer answers first. */
  answerBy?: number;
}

/**
 * The same context for work that goes on after the turn is answered: the turn's connection is gone,
 * so what it posts or updates goes through `later` (proactive messages).
 */
export function afterTheTurn(ctx: HandlerContext): HandlerContext {
  return { ...ctx, conversation: ctx.later };
}

/** The clicked card is replaced by `card` (invoke response, or an update of the Submit's message). */
export interface ActionReply {
  card: AdaptiveCard;
}

/** Work that goes on after a turn is answered (Teams wants invoke answers within 15 s). */
export class BackgroundWork {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  run(work: () => Promise<unknown>): Promise<unknown> {
    const p = work().catch(this.onError).finally(() => this.running.delete(p));
    this.running.add(p);
    return p;
  }

  /** Resolves when nothing is running (tests; graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
