import { DEFAULT_HISTORY, type CometLogger, type HistoryOptions } from '@cometkit/core';
import type { RedisOptions } from 'ioredis';

/** Options of {@link createRedisBroker}. */
export interface RedisBrokerOptions extends HistoryOptions {
  /** `redis://[user:password@]host:port[/db]`. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** More ioredis options (TLS, a password), merged under the broker's own timeouts and queues. */
  redis?: RedisOptions;
  /**
   * Names the log: its keys are `{prefix}:{log}:epoch|seq|entries` and its feed channel
   * `{prefix}:{log}:feed`. Hubs that share a prefix share a log. Default `cometkit`.
   */
  prefix?: string;
  /** Longest any Redis command may take before it fails (a publish then rejects `unavailable`). Default 2,000. */
  commandTimeoutMs?: number;
  /** Longest a connection attempt may take. Default 5,000. */
  connectTimeoutMs?: number;
  /** How often an idle feed checks it has missed nothing (one command per process). Default 5,000. */
  checkIntervalMs?: number;
  /** Entries one feed backfill reads at a time. Default 1,000. */
  backfillCount?: number;
  /**
   * The last entries the feed dispatched, kept in this process to answer reads near the head
   * (pollers back with the cursor they were just given) with no Redis call. 0 turns it off. Default 1,000.
   */
  recentCount?: number;
  /** Where diagnostics go (`cometkit:redis`); as the hub's `logger` option. */
  logger?: CometLogger;
}

/** The options with defaults filled in and checked. */
export interface ResolvedRedisOptions {
  url: string;
  redis: RedisOptions;
  keys: { epoch: string; seq: string; log: string; feed: string };
  maxCount: number;
  maxAgeMs: number;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  checkIntervalMs: number;
  backfillCount: number;
  recentCount: number;
  /** Most publishes one script call appends (Redis runs nothing else while a script runs). */
  batchMaxEntries: number;
  /** Most channel and payload characters one script call appends. */
  batchMaxBytes: number;
  logger: CometLogger | undefined;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`@cometkit/redis: ${name} must be a positive whole number`);
  return value;
}

/** Fills in defaults; throws a `TypeError` for a value that can only be a mistake. */
export function resolveRedisOptions(options: RedisBrokerOptions): ResolvedRedisOptions {
  const prefix = options.prefix ?? 'cometkit';
  if (typeof prefix !== 'string' || prefix === '' || /[{}\s]/.test(prefix)) {
    throw new TypeError('@cometkit/redis: prefix must be a non-empty string without braces or spaces');
  }
  const base = `${prefix}:{log}`;
  return {
    url: options.url ?? 'redis://127.0.0.1:6379',
    redis: options.redis ?? {},
    keys: { epoch: `${base}:epoch`, seq: `${base}:seq`, log: `${base}:entries`, feed: `${base}:feed` },
    maxCount: positiveInteger('maxCount', options.maxCount, DEFAULT_HISTORY.maxCount),
    maxAgeMs: positiveInteger('maxAgeMs', options.maxAgeMs, DEFAULT_HISTORY.maxAgeMs),
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, 2_000),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs, 5_000),
    checkIntervalMs: positiveInteger('checkIntervalMs', options.checkIntervalMs, 5_000),
    backfillCount: positiveInteger('backfillCount', options.backfillCount, 1_000),
    recentCount: options.recentCount === 0 ? 0 : positiveInteger('recentCount', options.recentCount, 1_000),
    batchMaxEntries: 256,
    batchMaxBytes: 512 * 1024,
    logger: options.logger,
  };
}
