import createDebug from 'debug';

/**
 * Where cometkit's diagnostics go when the app has its own logger (pino, winston, console all fit).
 * Without one, debug lines go to the `debug` package (`DEBUG=cometkit:*` turns them on) and errors
 * to `console.error`.
 */
export interface CometLogger {
  debug?(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** One component's diagnostics: off-by-default detail, and errors that are always reported. */
export interface Log {
  /** Detail for someone chasing a problem; silent unless enabled. */
  debug(message: string, ...args: unknown[]): void;
  /** Something that should not happen (a bug or a failing broker), never a client going away. */
  error(message: string, ...args: unknown[]): void;
}

/** A {@link Log} for `cometkit:{namespace}`, through `logger` when one is configured. */
export function createLog(namespace: string, logger?: CometLogger): Log {
  const name = `cometkit:${namespace}`;
  if (logger) {
    return {
      debug: (message, ...args) => logger.debug?.(`${name} ${message}`, ...args),
      error: (message, ...args) => logger.error(`${name} ${message}`, ...args),
    };
  }
  const debug = createDebug(name);
  return {
    debug: (message, ...args) => debug(message, ...args),
    error: (message, ...args) => console.error(`${name} ${message}`, ...args),
  };
}
