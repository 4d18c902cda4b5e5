import { type Broker } from '@cometkit/core';
import { createLog } from '@cometkit/core/kit';
import type { Appended } from './append-batcher';
import { openLinks } from './connections';
import { createFeedListeners } from './feed-listeners';
import { createFeedSubscription } from './feed-subscription';
import type { LogLayout } from './log-layout';
import { createLogStore } from './log-store';
import { createOneLog } from './one-log';
import { createPartition } from './partition';
import { createPartitionedLog } from './partitioned-log';
import { partitionKeys, resolveRedisOptions, type RedisBrokerOptions } from './options';
import { unavailable } from './unavailable';

/**
 * A {@link Broker} whose log lives in Redis, shared by every process (on any machine) built with
 * the same `url` and `prefix`: positions are assigned atomically in Redis, history is a Redis
 * Stream read by range, and each process keeps one pub/sub feed of every entry. Resolves once
 * both of its connections are ready; rejects (`unavailable`) when Redis cannot be reached.
 *
 * With `partitions`, the log is that many such streams, each exactly the log of one partition
 * (its keys under one hash tag, its scripts, its epoch, its feed with backfill); only how
 * positions are read and formed differs (see {@link LogLayout}).
 *
 * ```ts
 * const hub = createComet({ broker: await createRedisBroker({ url: process.env.REDIS_URL }) });
 * ```
 */
export async function createRedisBroker(options: RedisBrokerOptions = {}): Promise<Broker> {
  const resolved = resolveRedisOptions(options);
  const count = resolved.partitions;
  const log = createLog('redis', resolved.logger);
  let closed = false;
  const links = openLinks(resolved, log, () => closed);
  const { commands, subscriber } = links;
  const keys = count > 1 ? Array.from({ length: count }, (_, index) => partitionKeys(resolved.prefix, index, count)) : [resolved.keys];
  const stores = keys.map((partKeys) => createLogStore(commands, { ...resolved, keys: partKeys }));
  const subscription = createFeedSubscription(subscriber, keys.map((partKeys) => partKeys.feed), resolved.sharded, log, () => closed);
  const fail = (what: string) => (error: unknown): never => {
    closed = true;
    links.disconnect();
    log.debug('%s: %s', what, (error as Error).message);
    throw unavailable();
  };
  await links.connect().then(() => subscription.subscribe()).catch(fail('could not connect to Redis'));
  // Subscribed before the state is read: whatever is published after it reaches the feed.
  const starts = await Promise.all(stores.map((store) => store.state())).catch(fail('could not read the log state'));

  const listeners = createFeedListeners();
  // The recent entries are split between the partitions, so the process keeps `recentCount` in
  // all; never wider than Redis keeps of a partition (maxCount), so a cursor older than history
  // still gets its gap there.
  const recentCount = Math.min(Math.ceil(resolved.recentCount / count), resolved.maxCount);
  const recentMaxBytes = Math.ceil(resolved.recentMaxBytes / count);
  const parts = stores.map((store, index) =>
    createPartition({
      subscriber,
      channel: keys[index]!.feed,
      event: subscription.event,
      store,
      start: { epoch: starts[index]!.epoch, position: starts[index]!.seq },
      backfillCount: resolved.backfillCount,
      checkIntervalMs: resolved.checkIntervalMs,
      retryMs: 250,
      log,
      // One PING per feed connection (one, or one per master when sharded), however many partitions share it.
      probe: index === 0 ? subscription.probe : () => undefined,
      dispatch: (entry) => listeners.entry(layout.fed(entry, index)),
      batchEnd: listeners.batchEnd,
      recentCount,
      recentMaxBytes,
      feedWaitMs: resolved.commandTimeoutMs,
      maxAgeMs: resolved.maxAgeMs,
    }),
  );
  const layout: LogLayout = count > 1 ? createPartitionedLog(parts, log) : createOneLog(parts[0]!);
  // Subscribed again after a lost subscription: only then read what went by while there was none.
  subscription.onResubscribed(() => parts.forEach((part) => part.feed.catchUp()));

  const broker: Broker = {
    async publish(channel, segments, payload) {
      const index = layout.partitionOf(channel);
      const part = parts[index]!;
      let appended: Appended;
      try {
        appended = await part.store.append(channel, payload);
      } catch (error) {
        log.debug('publish failed: %s', (error as Error).message);
        throw unavailable();
      }
      part.feed.sawPosition(appended.epoch, appended.position);
      return layout.published(index, appended, channel, segments, payload);
    },

    read: (cursor, filter, limit) => layout.read(cursor, filter, limit),

    onEntry: listeners.add,

    head: () => layout.head(),

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      for (const part of parts) part.feed.close();
      // No QUIT: it would wait for a Redis that may be gone. Pending commands reject.
      links.disconnect();
    },
  };
  return count > 1 ? { partitions: count, ...broker } : broker;
}
