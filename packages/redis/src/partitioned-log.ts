import { createLogEntry, type ChannelFilter, type Cursor, type Log, type ReadResult } from '@cometkit/core/kit';
import type { LogLayout } from './log-layout';
import { gapOf, mergePages } from './merge-pages';
import type { Partition } from './partition';
import { logEpoch, partitionOf } from './partition-of';
import type { HistoryPage } from './shared-reads';
import { unavailable } from './unavailable';

/**
 * A log of several partitions, each a log of its own. This joins them: a channel lives in one
 * partition, the log's epoch is a digest of the partitions' epochs (so losing any partition's
 * history is a new epoch for all), cursors carry one position per partition, and a read touches
 * only the partitions its channels live in.
 */
export function createPartitionedLog(parts: readonly Partition[], log: Log): LogLayout {
  const count = parts.length;

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
    const heads = parts.map((part) => part.feed.head());
    const positions = heads.map((h) => h.position);
    return { epoch: epochOf(heads.map((h) => h.epoch)), position: sum(positions), positions };
  }

  /** The partitions a filter can match in: those of its channels, or all of them for a pattern. */
  function touchedBy(filter: ChannelFilter): number[] {
    if (filter.channels.some((channel) => channel.isPattern)) return parts.map((_, index) => index);
    return [...new Set(filter.channels.map((channel) => partitionOf(channel.name, count)))].sort((a, b) => a - b);
  }

  /** The epochs Redis holds now, for a cursor whose epoch this process has not heard of yet. */
  async function epochsInRedis(): Promise<string[]> {
    try {
      return (await Promise.all(parts.map((part) => part.store.state()))).map((state) => state.epoch);
    } catch (error) {
      log.debug('read failed: %s', (error as Error).message);
      throw unavailable();
    }
  }

  /** A partition's entries after `after` of its `epoch`: from its recent entries when they answer, else from Redis. */
  async function pageOf(part: Partition, epoch: string, after: number, limit: number): Promise<HistoryPage> {
    const recent = part.near(epoch, after) ?? (await part.nearOnceFed(epoch, after));
    if (!recent) return part.history(epoch, after, limit);
    return { epoch, seq: recent.last, gap: undefined, after, entries: recent.slice(after, limit) };
  }

  return {
    partitionOf: (channel) => partitionOf(channel, count),

    fed(entry, index) {
      // The feed moved its head first: the head now is where a caught-up reader stands.
      const now = head();
      return createLogEntry(now.epoch, entry.position, entry.channel, entry.segments, entry.payload, entry.time, index, now.positions);
    },

    published(index, appended, channel, segments, payload) {
      const heads = parts.map((part) => part.feed.head());
      const epochs = heads.map((h) => h.epoch);
      const positions = heads.map((h) => h.position);
      // Its cursor names it in its partition, and this process's head in the others.
      positions[index] = appended.position;
      epochs[index] = appended.epoch;
      return createLogEntry(epochOf(epochs), appended.position, channel, segments, payload, appended.time, index, positions);
    },

    head,

    async read(cursor, filter, limit): Promise<ReadResult> {
      const now = head();
      if (!cursor) return { epoch: now.epoch, entries: [], position: now.position, positions: now.positions, more: false };
      const heads = parts.map((part) => part.feed.head());
      let epochs = heads.map((h) => h.epoch);
      const shaped = cursor.positions?.length === count;
      let known = shaped && cursor.epoch === epochOf(epochs);
      if (shaped && !known) {
        // Perhaps this process has not heard of a partition's new epoch yet (another process gave
        // out this cursor): ask every partition before calling it a gap.
        epochs = await epochsInRedis();
        known = cursor.epoch === epochOf(epochs);
      }
      const from = cursor.positions;
      const touched = touchedBy(filter);
      // A cursor of another log is read from where each partition's history begins ('' is no epoch).
      const pages = await Promise.all(
        touched.map((index) => (known ? pageOf(parts[index]!, epochs[index]!, from![index]!, limit) : parts[index]!.history('', 0, limit))),
      );
      const pageEpochs = epochs.slice();
      touched.forEach((index, i) => (pageEpochs[index] = pages[i]!.epoch));
      const epoch = epochOf(pageEpochs);
      // Partitions not read hold nothing this reader wants: it stands at least at this process's head there.
      const positions = parts.map((_, index) => {
        const at = heads[index]!.epoch === pageEpochs[index] ? heads[index]!.position : 0;
        return known ? Math.max(from![index]!, at) : at;
      });
      touched.forEach((index, i) => (positions[index] = pages[i]!.after));
      const merged = mergePages(epoch, touched, pages, positions, filter, limit);
      const result = { epoch, entries: merged.entries, position: sum(positions), positions, more: merged.more };
      const gap = known ? gapOf(pages) : 'epoch';
      return gap ? { ...result, gap } : result;
    },
  };
}

function sum(positions: readonly number[]): number {
  return positions.reduce((a, b) => a + b, 0);
}
