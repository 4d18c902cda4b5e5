import type { RedisOptions } from 'ioredis';

/** The timeouts every connection of this package is made with. */
export interface ConnectionTimeouts {
  redis: RedisOptions;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * ioredis options for a connection that fails fast rather than hangs: each command has a
 * timeout, a stalled link is dropped and made again, and the connection comes back by itself
 * after any outage. The caller's own options (TLS, a password) are kept under these.
 */
export function connectionOptions(options: ConnectionTimeouts): RedisOptions {
  return {
    ...options.redis,
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    // A link that stalls with a reply due (armed only then) is dropped and made again: a command
    // timeout alone would leave every later command waiting behind the stalled one.
    socketTimeout: options.commandTimeoutMs,
    // Back off to at most 2 s between attempts, forever: the hub outlives any Redis outage.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    // A command in flight when the connection drops fails at once rather than being sent again
    // later: a write is either acknowledged or reported failed to its caller, never both.
    maxRetriesPerRequest: 0,
  };
}
