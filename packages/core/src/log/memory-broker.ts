import type { Broker, LogEntry, ReadResult } from './broker';
import type { ChannelFilter } from './channel-filter';
import { newEpoch, type Cursor } from './cursor';
import { createLogEntry } from './log-entry';
import { resolveHistory } from '../options';

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
 * The in-process broker: the log is a ring buffer bounded by count and age. Its epoch is new each
 * time one is created, so a client holding a cursor from before a restart is told of the gap.
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): Broker {
  // The same checks as createComet's: a limit of 0 or less is a mistake, not "keep one".
  const history = resolveHistory(options);
  const maxCount = history.maxCount ?? DEFAULT_HISTORY.maxCount;
  const maxAgeMs = history.maxAgeMs ?? DEFAULT_HISTORY.maxAgeMs;
  const now = options.now ?? Date.now;
  const epoch = newEpoch();
  const ring: (LogEntry | undefined)[] = new Array(maxCount);
  let first = 1; // position of the oldest entry kept
  let head = 0; // position of the newest entry
  const listeners = new Set<(entry: LogEntry) => void>();

  const at = (position: number): LogEntry => ring[(position - 1) % maxCount]!;

  function evictExpired(): void {
    const oldest = now() - maxAgeMs;
    while (first <= head && at(first).time < oldest) {
      ring[(first - 1) % maxCount] = undefined;
      first++;
    }
  }

  return {
    async publish(channel, segments, payload) {
      const entry = createLogEntry(epoch, head + 1, channel, segments, payload, now());
      head++;
      ring[(head - 1) % maxCount] = entry;
      if (head - first + 1 > maxCount) first = head - maxCount + 1;
      evictExpired();
      for (const listener of listeners) listener(entry);
      return entry;
    },

    async read(cursor: Cursor | undefined, filter: ChannelFilter, limit: number): Promise<ReadResult> {
      evictExpired();
      if (!cursor) return { epoch, entries: [], position: head, more: false };
      let after = cursor.position;
      let gap: ReadResult['gap'];
      if (cursor.epoch !== epoch) {
        gap = 'epoch';
        after = first - 1;
      } else if (after >= head) {
        // At or ahead of the head (a cursor from a process that has dispatched more): not a gap,
        // the reader simply waits for what comes after it.
        return { epoch, entries: [], position: after, more: false };
      } else if (after < first - 1) {
        gap = 'expired';
        after = first - 1;
      }
      const entries: LogEntry[] = [];
      let position = after;
      while (position < head && entries.length < limit) {
        position++;
        const entry = at(position);
        if (filter.matches(entry.channel, entry.segments)) entries.push(entry);
      }
      const result = { epoch, entries, position, more: position < head };
      return gap ? { ...result, gap } : result;
    },

    onEntry(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    head: () => ({ epoch, position: head }),

    async close() {
      listeners.clear();
    },
  };
}
