import { cometError, type Broker, type CometError } from '@cometkit/core';
import {
  createLog,
  createLogEntry,
  type ChannelFilter,
  type Cursor,
  type GapReason,
  type LogEntry,
  type ReadResult,
} from '@cometkit/core/kit';
import { openLinks } from './connections';
import { fromStream } from './entries';
import { createFeedListeners } from './feed-listeners';
import { createFeed, type Feed } from './feed';
import { createFeedSubscription } from './feed-subscription';
import { createLogStore, type LogStore, type RangeRead } from './log-store';
import { partitionKeys, type ResolvedRedisOptions } from './options';
import { logEpoch, partitionOf } from './partition-of';

const unavailable = (): CometError => cometError('unavailable', 'The message log (Redis) is unavailable; retry.');

/** One partition: its store (scripts on its keys) and its feed (pub/sub on its channel). */
interface Partition {
  readonly channel: string;
  readonly store: LogStore;
  feed?: Feed;
}

/**
 * The Redis broker over `partitions` streams. Each partition is a log of its own, exactly the
 * one-partition log (its keys under one hash tag, its scripts, its epoch, its feed with backfill);
 * this joins them: a channel lives in one partition, the log's epoch is a digest of the
 * partitions' epochs (so losing any partition's history is a new epoch for all), cursors carry one
 * position per partition, and a read touches only the partitions its channels live in.
 */
export async function createPartitionedBroker(resolved: ResolvedRedisOptions): Promise<Broker> {
  const count = resolved.partitions;
  const log = createLog('redis', resolved.logger);
  let closed = false;
  const links = openLinks(resolved, log, () => closed);
  const { commands, subscriber } = links;
  const parts: Partition[] = Array.from({ length: count }, (_, index) => {
    const keys = partitionKeys(resolved.prefix, index, count);
    return { channel: keys.feed, store: createLogStore(commands, { ...resolved, keys }) };
  });
  const subscription = createFeedSubscription(subscriber, parts.map((part) => part.channel), resolved.sharded, log, () => closed);
  const fail = (what: string) => (error: unknown): never => {
    closed = true;
    links.disconnect();
    log.debug('%s: %s', what, (error as Error).message);
    throw unavailable();
  };
  await links.connect().then(() => subscription.subscribe()).catch(fail('could not connect to Redis'));
  // Subscribed before the state is read: whatever is published after it reaches the feed.
  const starts = await Promise.all(parts.map((part) => part.store.state())).catch(fail('could not read the log state'));

  const listeners = createFeedListeners();
  const feeds: Feed[] = parts.map((part, index) =>
    createFeed({
      subscriber,
      channel: part.channel,
      event: subscription.event,
      store: part.store,
      start: { epoch: starts[index]!.epoch, position: starts[index]!.seq },
      backfillCount: resolved.backfillCount,
      checkIntervalMs: resolved.checkIntervalMs,
      retryMs: 250,
      log,
      // One PING per feed connection (one, or one per master when sharded), however many partitions share it.
      probe: index === 0 ? subscription.probe : () => undefined,
      dispatch(entry) {
        // The feed moved its head first: the head now is where a caught-up reader stands.
        const now = head();
        const fed = createLogEntry(now.epoch, entry.position, entry.channel, entry.segments, entry.payload, entry.time, index, now.positions);
        listeners.entry(fed);
      },
      batchEnd: listeners.batchEnd,
    }),
  );
  // Subscribed again after a lost subscription: only then read what went by while there was none.
  subscription.onResubscribed(() => feeds.forEach((feed) => feed.catchUp()));

  let epochKey = '';
  let epochValue = '';
  /** The log's epoch from its partitions' (memoised: it changes only when one of them does). */
  function epochOf(epochs: readonly string[]): string {
    const key = epochs.join(',');
    if (key !== epochKey) {
      epochKey = key;
      epochValue = logEpoch(epochs);
    }
    return epochValue;
  }

  function head(): Cursor & { positions: number[] } {
    const heads = feeds.map((feed) => feed.head());
    const positions = heads.map((h) => h.position);
    return { epoch: epochOf(heads.map((h) => h.epoch)), position: sum(positions), positions };
  }

  /** The partitions a filter can match in: those of its channels, or all of them for a pattern. */
  function touchedBy(filter: ChannelFilter): number[] {
    if (filter.channels.some((channel) => channel.isPattern)) return parts.map((_, index) => index);
    return [...new Set(filter.channels.map((channel) => partitionOf(channel.name, count)))].sort((a, b) => a - b);
  }

  async function read(cursor: Cursor | undefined, filter: ChannelFilter, limit: number): Promise<ReadResult> {
    const now = head();
    if (!cursor) return { epoch: now.epoch, entries: [], position: now.position, positions: now.positions, more: false };
    const heads = feeds.map((feed) => feed.head());
    let epochs = heads.map((h) => h.epoch);
    const shaped = cursor.positions?.length === count;
    let known = shaped && cursor.epoch === epochOf(epochs);
    if (shaped && !known) {
      // Perhaps this process has not heard of a partition's new epoch yet (another process gave
      // out this cursor): ask every partition before calling it a gap.
      epochs = (await Promise.all(parts.map((part) => part.store.state()))).map((state) => state.epoch);
      known = cursor.epoch === epochOf(epochs);
    }
    const from = cursor.positions;
    const touched = touchedBy(filter);
    // A cursor of another log is read from where each partition's history begins ('' is no epoch).
    const ranges = await Promise.all(
      touched.map((index) => parts[index]!.store.range(known ? epochs[index]! : '', known ? from![index]! : 0, limit)),
    ).catch((error: unknown) => {
      log.debug('read failed: %s', (error as Error).message);
      throw unavailable();
    });
    const resultEpochs = epochs.slice();
    touched.forEach((index, i) => (resultEpochs[index] = ranges[i]!.epoch));
    const epoch = epochOf(resultEpochs);
    // Partitions not read hold nothing this reader wants: it stands at least at this process's head there.
    const positions = parts.map((_, index) => {
      const at = heads[index]!.epoch === resultEpochs[index] ? heads[index]!.position : 0;
      return known ? Math.max(from![index]!, at) : at;
    });
    touched.forEach((index, i) => (positions[index] = ranges[i]!.after));
    const merged = merge(epoch, touched, ranges, positions, filter, limit);
    const result = { epoch, entries: merged.entries, position: sum(positions), positions, more: merged.more };
    const gap = known ? gapOf(ranges) : 'epoch';
    return gap ? { ...result, gap } : result;
  }

  return {
    partitions: count,

    async publish(channel, segments, payload) {
      const index = partitionOf(channel, count);
      let appended: { epoch: string; position: number; time: number };
      try {
        appended = await parts[index]!.store.append(channel, payload);
      } catch (error) {
        log.debug('publish failed: %s', (error as Error).message);
        throw unavailable();
      }
      feeds[index]!.sawPosition(appended.epoch, appended.position);
      const heads = feeds.map((feed) => feed.head());
      const epochs = heads.map((h) => h.epoch);
      const positions = heads.map((h) => h.position);
      // Its cursor names it in its partition, and this process's head in the others.
      positions[index] = appended.position;
      epochs[index] = appended.epoch;
      return createLogEntry(epochOf(epochs), appended.position, channel, segments, payload, appended.time, index, positions);
    },

    read,

    onEntry: listeners.add,

    head,

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      for (const feed of feeds) feed.close();
      links.disconnect();
    },
  };
}

function sum(positions: readonly number[]): number {
  return positions.reduce((a, b) => a + b, 0);
}

/** The gap of a read: `epoch` when any partition's log was replaced, else `expired` when any lost history. */
function gapOf(ranges: readonly RangeRead[]): GapReason | undefined {
  if (ranges.some((range) => range.gap === 'epoch')) return 'epoch';
  return ranges.some((range) => range.gap === 'expired') ? 'expired' : undefined;
}

/**
 * Interleaves the partitions' ranges by publish time (the order across partitions is free; each
 * partition's own is kept), moving `positions` past every entry taken, matching or not, and
 * giving each matching entry the cursor its reader has reached with it. Stops at `limit`.
 */
function merge(
  epoch: string,
  touched: readonly number[],
  ranges: readonly RangeRead[],
  positions: number[],
  filter: ChannelFilter,
  limit: number,
): { entries: LogEntry[]; more: boolean } {
  const lists = ranges.map((range) => range.entries.map((raw) => fromStream(range.epoch, raw)));
  const next = lists.map(() => 0);
  const entries: LogEntry[] = [];
  while (entries.length < limit) {
    let pick = -1;
    for (let i = 0; i < lists.length; i++) {
      const candidate = lists[i]![next[i]!];
      if (candidate && (pick < 0 || candidate.time < lists[pick]![next[pick]!]!.time)) pick = i;
    }
    if (pick < 0) break;
    const raw = lists[pick]![next[pick]!++]!;
    const index = touched[pick]!;
    positions[index] = raw.position;
    if (filter.matches(raw.channel, raw.segments)) {
      entries.push(createLogEntry(epoch, raw.position, raw.channel, raw.segments, raw.payload, raw.time, index, positions.slice()));
    }
  }
  const more = lists.some((list, i) => next[i]! < list.length || positions[touched[i]!]! < ranges[i]!.seq);
  return { entries, more };
}
