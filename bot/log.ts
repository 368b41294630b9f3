// The process's log: pino, one JSON object per line on stdout (what App Service hands to Application
// Insights), human-readable lines in local mode. Every line carries the correlation fields of its
// activity or operation (domain/logging.ts). No worker-thread transport: pretty-printing is done in
// this thread, and in production there is nothing to format.
import { format } from 'node:util';
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { log, logFields, type LogFields, type Logger } from '../domain/logging';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where lines go: anything with write(line). */
export interface LogDestination {
  write(line: string): void;
}

export interface LogOptions {
  level: LogLevel;
  /** Local mode: readable lines instead of JSON. */
  pretty?: boolean;
  /** Values never to be written, whatever field or message they turn up in (see secretsIn). */
  secrets?: string[];
  /** Default: stdout. */
  destination?: LogDestination;
  /**
   * Default on: secrets and anything shaped like a token are scrubbed from each line as it is written.
   * A test turns it off to show that redaction by field, not this safety net, keeps them out.
   */
  scrub?: boolean;
}

// Field paths whose values are never logged. pino's paths are exact (a `*` is one level), so the
// places secrets travel are listed: request headers, settings objects, credential options, errors.
const SECRET_FIELDS = ['authorization', 'password', 'MicrosoftAppPassword', 'COSMOS_KEY', 'GRAPH_CLIENT_SECRET', 'key', 'masterKey', 'secret', 'clientSecret', 'client_secret', 'token', 'accessToken', 'access_token', 'refresh_token', 'cookie'];
const SECRET_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), ...SECRET_FIELDS.map((f) => `*.*.${f}`), 'headers["set-cookie"]', '*.headers["set-cookie"]'];
// Who a person is: only when the level is debug or trace.
const PERSON_FIELDS = ['displayName', 'userPrincipalName', 'upn', 'mail', 'text'];
const PERSON_PATHS = [...PERSON_FIELDS, ...PERSON_FIELDS.map((f) => `*.${f}`), 'from.name', 'actor.name'];

/** A JWT (base64url of `{"…`), signed or not: Bot Framework and Entra tokens, whole or in part. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g;
/** The signature of a Cosmos DB authorization token (type=master&ver=1.0&sig=…), plain or URL-encoded. */
const COSMOS_SIGNATURE = /(sig(?:=|%3D))[A-Za-z0-9%+/=_-]+/gi;

/**
 * The values of every setting named like a secret (passwords, keys, client secrets, tokens, connection
 * strings): the last line of defence, scrubbed from each line written, field or message.
 */
export function secretsIn(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /PASSWORD|SECRET|KEY|TOKEN|CONNECTION_STRING/i.test(name) && typeof value === 'string' && value.trim().length >= 8)
    .map(([, value]) => value!.trim());
}

function scrubber(secrets: string[]): (line: string) => string {
  // Also as they appear inside a JSON string (quotes and backslashes escaped); longest first.
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line.replace(JWT, '[Redacted JWT]').replace(COSMOS_SIGNATURE, '$1[Redacted]');
    for (const s of forms) out = out.split(s).join('[Redacted]');
    return out;
  };
}

/** What of an error is logged: its kind, message, stack, codes and cause — never its request or config. */
export function errorFields(err: unknown, depth = 0): LogFields {
  if (!(err instanceof Error)) return { message: String(typeof err === 'object' ? JSON.stringify(err) : err).slice(0, 2000) };
  const e = err as Error & { code?: unknown; statusCode?: unknown; status?: unknown; cause?: unknown };
  const status = e.statusCode ?? e.status;
  return {
    type: e.name,
    message: e.message,
    stack: e.stack,
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof status === 'number' ? { statusCode: status } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: errorFields(e.cause, depth + 1) } : {}),
  };
}

export function createLogger(options: LogOptions): pino.Logger {
  const { level, pretty = false, secrets = [] } = options;
  const debugging = level === 'debug' || level === 'trace';
  const scrub = options.scrub === false ? (line: string) => line : scrubber(secrets);
  const prettify = pretty ? prettyFactory({ colorize: Boolean(process.stdout.isTTY), translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service' }) : undefined;
  const target = options.destination ?? { write: (line: string) => void process.stdout.write(line) };
  const destination = { write: (line: string) => target.write(prettify ? prettify(scrub(line)) : scrub(line)) };
  return pino(
    {
      level,
      base: { service: 'license-desk' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: what Application Insights and a person searching the log read.
      formatters: { level: (label) => ({ level: label }) },
      // A copy: pino merges each line's own fields into what mixin returns.
      mixin: () => ({ ...logFields() }),
      serializers: { err: (err: unknown) => errorFields(err) },
      redact: { paths: debugging ? SECRET_PATHS : [...SECRET_PATHS, ...PERSON_PATHS], censor: '[Redacted]' },
    },
    destination,
  );
}

// Printed to console.error but not failures: botbuilder's note on every refused token (with the public
// keys, or the expired token's error; the refusal itself is logged as such) and Node's own warnings
// (deprecations). One warning line each.
const NOT_FAILURES = [/^Error finding key for token/, /^TokenExpiredError/, /^\(node:\d+\) /];

/**
 * Sends console output (botbuilder's own console.error on refused tokens and failed turns, anything a
 * library prints) through the logger, so it is JSON with correlation fields and scrubbed like the
 * rest. Returns a function that puts the console back.
 */
export function routeConsole(logger: Logger = log): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const line = (args: unknown[]) => format(...args).slice(0, 4000);
  console.log = console.info = (...args: unknown[]) => logger.info({ source: 'console' }, line(args));
  console.debug = (...args: unknown[]) => logger.debug({ source: 'console' }, line(args));
  console.warn = (...args: unknown[]) => logger.warn({ source: 'console' }, line(args));
  console.error = (...args: unknown[]) => {
    const [first] = args;
    const text = first instanceof Error ? `${first.name}: ${first.message}` : line(args);
    if (NOT_FAILURES.some((r) => r.test(text))) logger.warn({ source: 'console' }, text.split(/\n| Available keys:/)[0].slice(0, 200));
    else logger.error(first instanceof Error ? { source: 'console', err: first } : { source: 'console' }, text);
  };
  return () => Object.assign(console, saved);
}

/** The older form of a log, a callback for errors (tests pass one): warnings and errors reach it. */
export type ErrorCallback = (message: string, err?: unknown) => void;

export function loggerFromCallback(callback: ErrorCallback): Logger {
  const report = (fields: LogFields, message: string) => callback(message, fields.err ?? (Object.keys(fields).length ? fields : undefined));
  return { debug() {}, info() {}, warn: report, error: report };
}

/** For code that reports a failure after its turn (a Save's background work). */
export function logError(message: string, err?: unknown) {
  log.error(err === undefined ? {} : { err }, message);
}
