import { cometError, type Broker, type CometError } from '@cometkit/core';
import { createLog, createLogEntry, type LogEntry, type ReadResult } from '@cometkit/core/kit';
import { openLinks } from './connections';
import { createFeed } from './feed';
import { createFeedListeners } from './feed-listeners';
import { createFeedSubscription } from './feed-subscription';
import { createLogStore } from './log-store';
import { createPartitionedBroker } from './partitioned-broker';
import { createRecentEntries } from './recent-entries';
import { createSharedReads } from './shared-reads';
import { resolveRedisOptions, type RedisBrokerOptions } from './options';

const unavailable = (): CometError => cometError('unavailable', 'The message log (Redis) is unavailable; retry.');

/**
 * A {@link Broker} whose log lives in Redis, shared by every process (on any machine) built with
 * the same `url` and `prefix`: positions are assigned atomically in Redis, history is a Redis
 * Stream read by range, and each process keeps one pub/sub feed of every entry. Resolves once
 * both of its connections are ready; rejects (`unavailable`) when Redis cannot be reached.
 *
 * ```ts
 * const hub = createComet({ broker: await createRedisBroker({ url: process.env.REDIS_URL }) });
 * ```
 */
export async function createRedisBroker(options: RedisBrokerOptions = {}): Promise<Broker> {
  const resolved = resolveRedisOptions(options);
  if (resolved.partitions > 1) return createPartitionedBroker(resolved);
  const log = createLog('redis', resolved.logger);
  let closed = false;
  const links = openLinks(resolved, log, () => closed);
  const { commands, subscriber } = links;

  const store = createLogStore(commands, resolved);
  const readShared = createSharedReads(store.range);
  const subscription = createFeedSubscription(subscriber, [resolved.keys.feed], resolved.sharded, log, () => closed);
  try {
    await links.connect();
    await subscription.subscribe();
  } catch (error) {
    closed = true;
    commands.disconnect();
    subscriber.disconnect();
    log.debug('could not connect to Redis: %s', (error as Error).message);
    throw unavailable();
  }
  const listeners = createFeedListeners();
  // Never wider than Redis keeps (maxCount), so a cursor older than history still gets its gap there.
  const recent = createRecentEntries(Math.min(resolved.recentCount, resolved.maxCount));
  // Subscribed before the state is read: whatever is published after it reaches the feed.
  const start = await store.state().catch((error: unknown) => {
    closed = true;
    commands.disconnect();
    subscriber.disconnect();
    log.debug('could not read the log state: %s', (error as Error).message);
    throw unavailable();
  });
  const feed = createFeed({
    subscriber,
    channel: resolved.keys.feed,
    event: subscription.event,
    store,
    start: { epoch: start.epoch, position: start.seq },
    backfillCount: resolved.backfillCount,
    checkIntervalMs: resolved.checkIntervalMs,
    retryMs: 250,
    log,
    // A PING makes a stalled feed connection noticed (socketTimeout) even when nothing is published.
    probe: subscription.probe,
    dispatch(entry) {
      recent.add(entry);
      listeners.entry(entry);
    },
    batchEnd: listeners.batchEnd,
  });
  // Subscribed again after a lost subscription: only then read what went by while there was none.
  subscription.onResubscribed(() => feed.catchUp());

  return {
    async publish(channel, segments, payload) {
      let appended: { epoch: string; position: number; time: number };
      try {
        appended = await store.append(channel, payload);
      } catch (error) {
        log.debug('publish failed: %s', (error as Error).message);
        throw unavailable();
      }
      feed.sawPosition(appended.epoch, appended.position);
      return createLogEntry(appended.epoch, appended.position, channel, segments, payload, appended.time);
    },

    async read(cursor, filter, limit): Promise<ReadResult> {
      if (!cursor) {
        const { epoch, position } = feed.head();
        return { epoch, entries: [], position, more: false };
      }
      // Near the head (a poller back with the cursor it was just given): from memory, no Redis.
      // A publish of this process acknowledged and not yet fed must be in the answer: wait for
      // the feed to bring it (it is on its way, sent by the same script) rather than ask Redis.
      const highest = feed.highest();
      if (recent.covers(cursor) && (feed.head().position >= highest || (await feed.caughtUp(resolved.commandTimeoutMs)))) {
        const head = feed.head();
        const near = head.position >= highest ? recent.read(cursor, filter, limit, head, Date.now() - resolved.maxAgeMs) : undefined;
        if (near) return near;
      }
      let page;
      try {
        page = await readShared(cursor.epoch, cursor.position, limit);
      } catch (error) {
        log.debug('read failed: %s', (error as Error).message);
        throw unavailable();
      }
      const entries: LogEntry[] = [];
      let position = page.after;
      for (const entry of page.entries) {
        position = entry.position;
        if (filter.matches(entry.channel, entry.segments)) entries.push(entry);
      }
      // A shared page may have been read before a publish this process had acknowledged: say there is more.
      const result = { epoch: page.epoch, entries, position, more: position < page.seq || (page.epoch === feed.head().epoch && position < highest) };
      return page.gap ? { ...result, gap: page.gap } : result;
    },

    onEntry: listeners.add,

    head: () => feed.head(),

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      feed.close();
      // No QUIT: it would wait for a Redis that may be gone. Pending commands reject.
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
