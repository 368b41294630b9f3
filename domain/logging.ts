// The domain's logging port: structured lines (fields + message) and the correlation fields that every
// line of one activity or one operation carries. The bot wires it to pino (bot/log.ts); until then it
// is silent, so the domain and its tests need no logger.
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogFields = Record<string, unknown>;

/** What the domain and the bot log through. pino's Logger fits it as it is. */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let current: Logger = silent;

/** Sends every log line of the process to `logger`; returns the one it replaces. */
export function setLogger(logger: Logger): Logger {
  const previous = current;
  if (logger !== log) current = logger; // the delegate itself would call itself for ever
  return previous;
}

/** The process's logger, whichever is set when a line is written. */
export const log: Logger = {
  debug: (fields, message) => current.debug(fields, message),
  info: (fields, message) => current.info(fields, message),
  warn: (fields, message) => current.warn(fields, message),
  error: (fields, message) => current.error(fields, message),
};

// Correlation: fields kept along an async call chain (an activity's turn and the background work it
// starts, an operation's chunks), so code deep inside need not be handed an id to log with.
const correlation = new AsyncLocalStorage<LogFields>();

/** Runs `work` with `fields` added to every line it (and whatever it starts) logs. */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return correlation.run({ ...correlation.getStore(), ...fields }, work);
}

/** The correlation fields of the current call chain (the logger adds them to each line). */
export function logFields(): LogFields {
  return correlation.getStore() ?? {};
}
