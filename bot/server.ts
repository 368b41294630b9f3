// The HTTP side: restify 11 + botbuilder CloudAdapter. POST /api/messages, GET /healthz.
import { createHash, randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import restify from 'restify';
import { labels } from '../cards/i18n';
import { messageCard } from '../cards/simple-cards';
import { CardFactory } from 'botbuilder';
import { costFields, countingRequests, type RequestCost } from '../domain/store/cosmos';
import type { LicenseService } from '../domain/service';
import type { Settings } from './config';
import { BackgroundWork, type BotDeps } from './context';
import { log as logger, setLogger, withLogFields, type Logger } from '../domain/logging';
import { loggerFromCallback } from './log';
import { SessionRepository } from './session';
import { checkActivityEnvelope } from './activity-envelope';
import { BodyError, readJsonBody } from './request-body';
import { LicenseDeskBot } from './teams-bot';
import { resultDownload } from './result-download';
import { ResultLinks } from './result-links';
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
  settings: Pick<Settings, 'MicrosoftAppId' | 'MicrosoftAppPassword' | 'MicrosoftAppType' | 'MicrosoftAppTenantId' | 'BUY_MORE_URL'> &
    Partial<Pick<Settings, 'RESULT_LINK_KEY' | 'BOT_DOMAIN' | 'WEBSITE_HOSTNAME'>>,
  /** Where the bot keeps each admin's session (per conversation). */
  sessions: KeyedDocuments,
  service: LicenseService,
  /** Where this app's lines go (the process's log; default: the one already set). A callback gets warnings and errors. */
  log?: Logger | Log,
  /** More of botbuilder's authentication settings, e.g. `ToBotFromChannelOpenIdMetadataUrl` for a national cloud. */
  authSettings: Record<string, string> = {},
): App {
  if (log) setLogger(typeof log === 'function' ? loggerFromCallback(log) : log);
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
    logger.error({ err: error }, 'turn failed');
    try {
      const l = labels.en;
      await turn.sendActivity({ attachments: [CardFactory.adaptiveCard(messageCard({ title: l.badInput, lines: [l.somethingWrong], tone: 'error' }))] });
    } catch (sendError) {
      logger.error({ err: sendError }, 'could not report the failure');
    }
  };
  const background = new BackgroundWork((err) => logger.error({ err }, 'background work failed'));
  const localMode = !settings.MicrosoftAppId;
  // Links to this bot: its public host name in production; locally the loopback port it listens on.
  let listeningPort = 0;
  const publicHost = settings.BOT_DOMAIN ?? settings.WEBSITE_HOSTNAME;
  const resultLinks = new ResultLinks(settings.RESULT_LINK_KEY, () =>
    publicHost ? `https://${publicHost}` : localMode && listeningPort ? `http://127.0.0.1:${listeningPort}` : undefined,
  );
  const deps: BotDeps = { localMode, service, sessions: new SessionRepository(sessions), buyMoreUrl: settings.BUY_MORE_URL, background, resultLinks };
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
  // Download CSV (bot/result-download.ts): the signed link is the authorization; no Teams token comes with it.
  server.get('/results/:customer/:file', async (req, res) => {
    try {
      const answer = await resultDownload({ service, links: resultLinks }, { customerKey: String(req.params.customer ?? ''), file: String(req.params.file ?? '') }, Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams));
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch (err) {
      logger.error({ err }, 'result download failed');
      if (!res.headersSent) res.send(500, { error: 'The result could not be read; try again.' });
    }
  });
  const onActivity = async (req: restify.Request, res: restify.Response) => {
    const started = Date.now();
    // The cheapest check first: in production nothing is read, inflated or parsed without a valid
    // Bot Framework token endorsed for Teams. The adapter checks the token again against the activity
    // (its serviceUrl), once the body is read.
    if (!localMode) {
      try {
        await auth.authenticateStreamingRequest(String(req.headers.authorization ?? ''), 'msteams');
      } catch (err) {
        logger.warn({ status: 401, reason: err instanceof Error ? err.message : undefined }, 'refused a request without a valid Bot Framework token');
        refuse(res, 401, 'A valid Bot Framework token is required.');
        return;
      }
    }
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (err) {
      if (!(err instanceof BodyError)) throw err;
      logger.info({ status: err.status, reason: err.message }, 'refused a request body');
      refuse(res, err.status, err.message);
      return;
    }
    // What botbuilder and the bot read must have the right types: a malformed activity is the sender's
    // fault (400 naming the field), never a crash inside a turn.
    const problem = checkActivityEnvelope(body);
    if (problem) {
      logger.info({ status: 400, fields: problem.fields }, 'refused a malformed activity');
      res.send(400, problem);
      return;
    }
    req.body = body;
    // Every line of the turn, and of the background work it starts, carries the activity's ids.
    await withLogFields(activityIds(body), async () => {
      logger.debug({ ...activitySummary(body), ...personOf(body), headers: req.headers }, 'activity received');
      // What the turn cost on Cosmos DB (a change it starts counts its own, in "operation completed").
      const cost: RequestCost = { requests: 0, requestCharge: 0 };
      try {
        await countingRequests(cost, () => adapter.process(req, res, (turn) => bot.run(turn)));
        logger.info({ ...activitySummary(body), status: res.statusCode, ms: Date.now() - started, ...costFields(cost) }, 'activity answered');
      } catch (err) {
        logger.error({ err }, 'could not process activity');
        if (!res.headersSent) res.send(400, { error: 'The activity could not be processed.' });
      }
    });
  };
  // A correlation id from the first byte: refusals before the body is read are logged with one too.
  server.post('/api/messages', async (req, res) => withLogFields({ activityId: randomUUID() }, () => onActivity(req, res)));
  server.on('restifyError', (_req, _res, err, callback) => {
    logger.error({ err }, 'request failed');
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
        server.listen(port, host, () => {
          listeningPort = (server.address() as { port: number }).port;
          resolve(listeningPort);
        });
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

type ActivityLike = { id?: string | null; type?: string; name?: string | null; conversation?: { id?: string }; value?: { action?: { verb?: unknown } } | null };

/**
 * The activity's correlation ids: its own id (else the generated one stays) and a hash of the
 * conversation id — enough to follow one chat through the log without naming it.
 */
function activityIds(body: unknown) {
  const a = body as ActivityLike;
  return { ...(a.id ? { activityId: a.id } : {}), conversation: createHash('sha256').update(String(a.conversation?.id)).digest('hex').slice(0, 16) };
}

/** What kind of activity it was, in words any reader of the log may see (no text, no names). */
function activitySummary(body: unknown) {
  const a = body as ActivityLike;
  const verb = a.value?.action?.verb;
  return { type: a.type, ...(a.name ? { name: a.name.slice(0, 64) } : {}), ...(typeof verb === 'string' && /^[A-Za-z]{1,40}$/.test(verb) ? { verb } : {}) };
}

/** Who sent it and what they typed: logged at debug only (the logger redacts it at other levels). */
function personOf(body: unknown) {
  const a = body as { from?: { name?: string | null; aadObjectId?: string | null }; text?: string | null };
  return { from: { name: a.from?.name, aadObjectId: a.from?.aadObjectId }, text: typeof a.text === 'string' ? a.text.slice(0, 500) : undefined };
}
