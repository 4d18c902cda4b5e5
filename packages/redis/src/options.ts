import { DEFAULT_HISTORY, type CometLogger, type HistoryOptions } from '@cometkit/core';
import { MAX_CURSOR_PARTITIONS } from '@cometkit/core/kit';
import { Cluster, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';

/** Options of {@link createRedisBroker}. */
export interface RedisBrokerOptions extends Omit<HistoryOptions, 'maxBytes'> {
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
   * (pollers back with the cursor they were just given, pollers a burst left behind) with no Redis
   * call; with partitions, split evenly between them; never more than `maxCount` per partition.
   * 0 turns it off. Default 10,000 (as many as the memory broker keeps).
   */
  recentCount?: number;
  /**
   * Most bytes the recent entries may hold in this process, counted as the memory broker's
   * `history.maxBytes` counts them (text and every framed copy a transport made); with
   * partitions, split evenly between them. The oldest go first; a read they no longer reach goes
   * to Redis. Default 64 MiB, as the memory broker's history.
   */
  recentMaxBytes?: number;
  /** Where diagnostics go (`cometkit:redis`); as the hub's `logger` option. */
  logger?: CometLogger;
  /**
   * Streams the log is split into (1–64), each with its own positions and keys under its own hash
   * tag (`{prefix}:{log:N/P}:…`, one cluster slot each); a channel lives in one, by a CRC-32 of its
   * name. Every process sharing a log must use the same count. Default 1 (one stream, as before).
   */
  partitions?: number;
  /**
   * A Redis Cluster instead of `url`: its startup nodes, or an ioredis `Cluster` whose startup
   * nodes and options are used (the broker opens connections of its own; yours is left alone).
   */
  cluster?: readonly ClusterNode[] | Cluster;
  /**
   * On a cluster, tell the feeds with sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`, Redis 7): each
   * partition's messages stay on the node that holds it, rather than every node carrying every
   * message. Every process sharing a log must agree. Default `true` with `cluster`; ignored without.
   */
  shardedPubSub?: boolean;
}

/** The options with defaults filled in and checked. */
export interface ResolvedRedisOptions {
  url: string;
  redis: RedisOptions;
  prefix: string;
  partitions: number;
  cluster: { nodes: ClusterNode[]; options: ClusterOptions } | undefined;
  /** The feed is sharded pub/sub (on a cluster, unless turned off). */
  sharded: boolean;
  keys: { epoch: string; seq: string; log: string; feed: string };
  maxCount: number;
  maxAgeMs: number;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  checkIntervalMs: number;
  backfillCount: number;
  recentCount: number;
  recentMaxBytes: number;
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
  const partitions = positiveInteger('partitions', options.partitions, 1);
  if (partitions > MAX_CURSOR_PARTITIONS) throw new TypeError(`@cometkit/redis: partitions must be at most ${MAX_CURSOR_PARTITIONS}`);
  const cluster = clusterOf(options.cluster);
  return {
    url: options.url ?? 'redis://127.0.0.1:6379',
    redis: options.redis ?? {},
    prefix,
    partitions,
    cluster,
    sharded: cluster !== undefined && options.shardedPubSub !== false,
    keys: { epoch: `${base}:epoch`, seq: `${base}:seq`, log: `${base}:entries`, feed: `${base}:feed` },
    maxCount: positiveInteger('maxCount', options.maxCount, DEFAULT_HISTORY.maxCount),
    maxAgeMs: positiveInteger('maxAgeMs', options.maxAgeMs, DEFAULT_HISTORY.maxAgeMs),
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, 2_000),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs, 5_000),
    checkIntervalMs: positiveInteger('checkIntervalMs', options.checkIntervalMs, 5_000),
    backfillCount: positiveInteger('backfillCount', options.backfillCount, 1_000),
    recentCount: options.recentCount === 0 ? 0 : positiveInteger('recentCount', options.recentCount, DEFAULT_HISTORY.maxCount),
    recentMaxBytes: positiveInteger('recentMaxBytes', options.recentMaxBytes, DEFAULT_HISTORY.maxBytes),
    batchMaxEntries: 256,
    batchMaxBytes: 512 * 1024,
    logger: options.logger,
  };
}

function clusterOf(cluster: RedisBrokerOptions['cluster']): ResolvedRedisOptions['cluster'] {
  if (cluster === undefined) return undefined;
  if (cluster instanceof Cluster) {
    // ioredis keeps the startup nodes it was made with (not in its types); the masters it knows
    // now are as good a start when they are not there.
    const startup = (cluster as unknown as { startupNodes?: ClusterNode[] }).startupNodes;
    const known = cluster.nodes('master').map((node) => ({ host: node.options.host, port: node.options.port }));
    const nodes = startup && startup.length > 0 ? [...startup] : known;
    if (nodes.length === 0) throw new TypeError('@cometkit/redis: the ioredis Cluster given knows no nodes');
    return { nodes, options: { ...cluster.options } };
  }
  if (!Array.isArray(cluster) || cluster.length === 0) throw new TypeError('@cometkit/redis: cluster must be a non-empty list of nodes or an ioredis Cluster');
  return { nodes: [...cluster], options: {} };
}

/**
 * The keys of partition `index` of `count`: one hash tag each, so one cluster slot each. The count
 * is in the name: logs of two counts never share a key (a channel's partition depends on it).
 */
export function partitionKeys(prefix: string, index: number, count: number): ResolvedRedisOptions['keys'] {
  const base = `${prefix}:{log:${index}/${count}}`;
  return { epoch: `${base}:epoch`, seq: `${base}:seq`, log: `${base}:entries`, feed: `${base}:feed` };
}
