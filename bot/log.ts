// One place for the bot's error log, so code that runs after a turn can report what went wrong.
export type Logger = (message: string, err?: unknown) => void;

let current: Logger = (message, err) => console.error(message, err ?? '');

export function setLogger(logger: Logger) {
  current = logger;
}

export function logError(message: string, err?: unknown) {
  current(message, err);
}
