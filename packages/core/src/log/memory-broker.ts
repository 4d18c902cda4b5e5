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
  /**
   * Most bytes the kept entries may hold, counting each entry's text (its payload and its JSON
   * form, one byte per character, plus 640 bytes for the entry itself) and every framed copy a
   * transport made of it (poll, SSE, stream, iframe, WebSocket, Bayeux each keep one: its bytes
   * plus 160). Default 64 MiB: retained history stays under about 64 MiB whatever the publishers
   * send (text outside Latin-1 is counted at half what V8 holds of it). The oldest go first; a
   * reader whose cursor was dropped gets the `expired` gap, as one dropped by count or age.
   */
  maxBytes?: number;
}

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions extends HistoryOptions {
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** The history limits a broker keeps when given none. */
export const DEFAULT_HISTORY = { maxCount: 10_000, maxAgeMs: 10 * 60_000, maxBytes: 64 * 1024 * 1024 } as const;

/** The in-process broker: a {@link Broker} whose history can say how much it holds. */
export interface MemoryBroker extends Broker {
  /** Bytes the history holds, as counted against `maxBytes`. */
  historyBytes(): number;
}

/**
 * The in-process broker: the log is an {@link EntryRing} bounded by count, bytes and age. Its epoch is
 * new each time one is created, so a client holding a cursor from before a restart is told of the gap.
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  // The same checks as createComet's: a limit of 0 or less is a mistake, not "keep one".
  const history = resolveHistory(options);
  const maxCount = history.maxCount ?? DEFAULT_HISTORY.maxCount;
  const maxAgeMs = history.maxAgeMs ?? DEFAULT_HISTORY.maxAgeMs;
  const maxBytes = history.maxBytes ?? DEFAULT_HISTORY.maxBytes;
  const now = options.now ?? Date.now;
  const epoch = newEpoch();
  // The whole history; its `last` is the head, also once every entry has expired.
  const ring = new EntryRing(maxCount, epoch, 1, maxBytes);
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

    historyBytes: () => ring.bytes,

    async close() {
      listeners.clear();
    },
  };
}
