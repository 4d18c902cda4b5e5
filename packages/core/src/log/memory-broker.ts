import type { Broker, LogEntry, ReadResult } from './broker';
import type { ChannelFilter } from './channel-filter';
import { newEpoch, type Cursor } from './cursor';
import { EntryRing } from './entry-ring';
import { createLogEntry } from './log-entry';
import { resolveHistory } from './history-limits';

/** How much history a broker keeps. Whichever limit is reached first evicts the oldest entries. */
export interface HistoryOptions {
  /** Most entries kept. Default 10,000. */
  maxCount?: number;
  /** Oldest entry kept, in ms. Default 10 minutes. */
  maxAgeMs?: number;
}

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions extends HistoryOptions {
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_HISTORY = { maxCount: 10_000, maxAgeMs: 10 * 60_000 } as const;

/**
 * The in-process broker: the log is an {@link EntryRing} bounded by count and age. Its epoch is
 * new each time one is created, so a client holding a cursor from before a restart is told of the gap.
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker {
  // The same checks as createComet's: a limit of 0 or less is a mistake, not "keep one".
  const history = resolveHistory(options);
  const maxCount = history.maxCount ?? DEFAULT_HISTORY.maxCount;
  const maxAgeMs = history.maxAgeMs ?? DEFAULT_HISTORY.maxAgeMs;
  const now = options.now ?? Date.now;
  const epoch = newEpoch();
  // The whole history; its `last` is the head, also once every entry has expired.
  const ring = new EntryRing(maxCount, epoch);
  const listeners = new Set<(entry: LogEntry) => void>();

  return {
    async publish(channel, segments, payload) {
      const entry = createLogEntry(epoch, ring.last + 1, channel, segments, payload, now());
      ring.push(entry);
      ring.dropOlderThan(now() - maxAgeMs);
      for (const listener of listeners) listener(entry);
      return entry;
    },

    async read(cursor: Cursor | undefined, filter: ChannelFilter, limit: number): Promise<ReadResult> {
      ring.dropOlderThan(now() - maxAgeMs);
      if (!cursor) return { epoch, entries: [], position: ring.last, more: false };
      let after = cursor.position;
      let gap: ReadResult['gap'];
      if (cursor.epoch !== epoch) {
        gap = 'epoch';
        after = ring.first - 1;
      } else if (after >= ring.last) {
        // At or ahead of the head (a cursor from a process that has dispatched more): not a gap,
        // the reader simply waits for what comes after it.
        return { epoch, entries: [], position: after, more: false };
      } else if (after < ring.first - 1) {
        gap = 'expired';
        after = ring.first - 1;
      }
      const result = ring.read(after, filter, limit);
      return gap ? { ...result, gap } : result;
    },

    onEntry(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    head: () => ({ epoch, position: ring.last }),

    async close() {
      listeners.clear();
    },
  };
}
