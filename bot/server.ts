// The HTTP side: restify 11 + botbuilder CloudAdapter. POST /api/messages, GET /healthz.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import restify from 'restify';
import { labels } from '../cards/i18n';
import { messageCard } from '../cards/simple-cards';
import { CardFactory } from 'botbuilder';
import type { LicenseService } from '../domain/service';
import type { Settings } from './config';
import { BackgroundWork, type BotDeps } from './context';
import { setLogger } from './log';
import { SessionRepository } from './session';
import { checkActivityEnvelope } from './activity-envelope';
import { BodyError, readJsonBody } from './request-body';
import { LicenseDeskBot } from './teams-bot';
import type { KeyedDocuments } from '../domain/store/keyed-documents';

export interface App {
  server: restify.Server;
  adapter: CloudAdapter;
  background: BackgroundWork;
  /** Marks the store as ready (GET /healthz answers 200 from then on). */
  setReady(ready: boolean): void;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export type Log = (message: string, err?: unknown) => void;

export function createApp(
  settings: Pick<Settings, 'MicrosoftAppId' | 'MicrosoftAppPassword' | 'MicrosoftAppType' | 'MicrosoftAppTenantId' | 'BUY_MORE_URL'>,
  /** Where the bot keeps each admin's session (per conversation). */
  sessions: KeyedDocuments,
  service: LicenseService,
  log: Log = (m, e) => console.error(m, e ?? ''),
  /** More of botbuilder's authentication settings, e.g. `ToBotFromChannelOpenIdMetadataUrl` for a national cloud. */
  authSettings: Record<string, string> = {},
): App {
  setLogger(log);
  const auth = new ConfigurationBotFrameworkAuthentication({
    ...authSettings,
    MicrosoftAppId: settings.MicrosoftAppId ?? '',
    MicrosoftAppPassword: settings.MicrosoftAppPassword ?? '',
    MicrosoftAppType: settings.MicrosoftAppType,
    MicrosoftAppTenantId: settings.MicrosoftAppTenantId ?? '',
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (turn: TurnContext, error: Error) => {
    // Last resort: log it, and tell the person something clear instead of leaving them waiting.
    log('turn failed', error);
    try {
      const l = labels.en;
      await turn.sendActivity({ attachments: [CardFactory.adaptiveCard(messageCard({ title: l.badInput, lines: [l.somethingWrong], tone: 'error' }))] });
    } catch (sendError) {
      log('could not report the failure', sendError);
    }
  };
  const background = new BackgroundWork((err) => log('background work failed', err));
  const localMode = !settings.MicrosoftAppId;
  const deps: BotDeps = { localMode, service, sessions: new SessionRepository(sessions), buyMoreUrl: settings.BUY_MORE_URL, background };
  const bot = new LicenseDeskBot(deps, adapter, settings.MicrosoftAppId ?? '');
  // Whichever instance finishes a change (after a crash: the recovery sweep) tells the admin where they wait.
  service.notifyWith(bot.operationNotifier());

  const server = restify.createServer({ name: 'license-desk', handleUncaughtExceptions: false });
  // Slow senders are cut off instead of holding sockets open.
  server.server.requestTimeout = 30_000;
  server.server.headersTimeout = 15_000;
  let ready = false;
  server.get('/healthz', (_req, res, next) => {
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'starting' });
    return next();
  });
  server.post('/api/messages', async (req, res) => {
    // The cheapest check first: in production nothing is read, inflated or parsed without a valid
    // Bot Framework token endorsed for Teams. The adapter checks the token again against the activity
    // (its serviceUrl), once the body is read.
    if (!localMode) {
      try {
        await auth.authenticateStreamingRequest(String(req.headers.authorization ?? ''), 'msteams');
      } catch (err) {
        log('refused a request without a valid Bot Framework token', err instanceof Error ? err.message : undefined);
        refuse(res, 401, 'A valid Bot Framework token is required.');
        return;
      }
    }
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (err) {
      if (!(err instanceof BodyError)) throw err;
      refuse(res, err.status, err.message);
      return;
    }
    // What botbuilder and the bot read must have the right types: a malformed activity is the sender's
    // fault (400 naming the field), never a crash inside a turn.
    const problem = checkActivityEnvelope(body);
    if (problem) {
      res.send(400, problem);
      return;
    }
    req.body = body;
    try {
      await adapter.process(req, res, (turn) => bot.run(turn));
    } catch (err) {
      log('could not process activity', err);
      if (!res.headersSent) res.send(400, { error: 'The activity could not be processed.' });
    }
  });
  server.on('restifyError', (_req, _res, err, callback) => {
    log('request failed', err);
    return callback();
  });

  return {
    server,
    adapter,
    background,
    setReady: (r) => {
      ready = r;
    },
    // Local mode has no authentication: it listens on loopback only.
    listen: (port, host = localMode ? '127.0.0.1' : '0.0.0.0') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await background.idle();
    },
  };
}

/** An error answer that also closes the connection: what the client has not sent yet is not read. */
function refuse(res: restify.Response, status: number, error: string) {
  res.header('connection', 'close');
  res.send(status, { error });
}
