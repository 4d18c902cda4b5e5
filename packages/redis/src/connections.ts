import type { Log } from '@cometkit/core/kit';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { connectionOptions } from './connection';
import type { ResolvedRedisOptions } from './options';

/** One Redis node or a Redis Cluster: the broker's commands and scripts run the same on either. */
export type Link = Redis | Cluster;

/** The broker's two connections: commands (scripts) and the pub/sub feed. */
export interface Links {
  readonly commands: Link;
  readonly subscriber: Link;
  /** Connects both; rejects when either cannot be reached within the connect timeout. */
  connect(): Promise<void>;
  /** Drops both at once (no QUIT: it would wait for a Redis that may be gone). */
  disconnect(): void;
}

/** Opens the two connections with the broker's timeouts and queues, to one node or a cluster. */
export function openLinks(resolved: ResolvedRedisOptions, log: Log, isClosed: () => boolean): Links {
  const common = connectionOptions(resolved);
  const make = (extra: RedisOptions, shardedSubscribers = false): Link => {
    const cluster = resolved.cluster;
    if (!cluster) return new Redis(resolved.url, { ...common, ...extra });
    return new Cluster(cluster.nodes, {
      ...cluster.options,
      lazyConnect: true,
      enableOfflineQueue: extra.enableOfflineQueue ?? true,
      // A node that is down answers nothing: its partitions' commands fail (503) after the
      // command timeout, the others go on; the slot map is refreshed meanwhile.
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      retryDelayOnClusterDown: 100,
      // One subscriber connection per master, each SSUBSCRIBEd to the shard channels of its slots,
      // made again (and resubscribed) by ioredis after a failover, a MOVED or a `sunsubscribe`.
      shardedSubscribers,
      redisOptions: { ...cluster.options.redisOptions, ...common, ...extra },
    });
  };
  // Commands fail fast while Redis is away (the publisher gets 503 and retries) instead of queueing.
  const commands = make({ enableOfflineQueue: false, connectionName: 'cometkit:log' });
  // The feed resubscribes itself on each `ready`, then reads what it missed: in that order.
  const subscriber = make({ autoResubscribe: false, connectionName: 'cometkit:feed' }, resolved.sharded);
  for (const [name, connection] of [['log', commands], ['feed', subscriber]] as const) {
    let up = false;
    connection.on('ready', () => {
      if (up || isClosed()) return;
      up = true;
      log.debug('%s connection ready', name);
    });
    // Reported once per outage, not once per reconnect attempt.
    connection.on('error', (error: Error) => {
      if (isClosed()) return;
      if (up) log.error('%s connection to Redis lost: %s; reconnecting', name, error.message);
      else log.debug('%s connection to Redis failed: %s', name, error.message);
      up = false;
    });
  }
  return {
    commands,
    subscriber,
    connect: async () => {
      await Promise.all([commands.connect(), subscriber.connect()]);
    },
    disconnect() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
