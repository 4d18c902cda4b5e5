import type { ChannelFilter, Cursor, LogEntry, ReadResult } from '@cometkit/core/kit';

/** The last entries this process's feed dispatched, to answer reads near the head with no Redis. */
export interface RecentEntries {
  /** The next entry the feed dispatched (in order; anything else starts the window again). */
  add(entry: LogEntry): void;
  /**
   * The read from `cursor`, when the window covers it: same epoch as the feed's head, the window
   * ending at the head, the cursor inside it and its next entry younger than `oldestTime`.
   * Undefined otherwise (the read goes to Redis, which also tells gaps).
   */
  /** Whether `cursor` is inside the window as it is now (its epoch, at most its newest position, not before its oldest). */
  covers(cursor: Cursor): boolean;
  read(cursor: Cursor, filter: ChannelFilter, limit: number, head: { epoch: string; position: number }, oldestTime: number): ReadResult | undefined;
}

/**
 * A ring of the last `capacity` entries. Pollers come back with the cursor they were just given,
 * which is almost always a few entries behind the head: without this, each of them would be one
 * Redis script call per poll, and the Redis work per publish would grow with the subscribers.
 */
export function createRecentEntries(capacity: number): RecentEntries {
  const ring: (LogEntry | undefined)[] = new Array<LogEntry | undefined>(capacity);
  let epoch = '';
  let first = 0; // position of the oldest entry kept
  let last = -1; // position of the newest (last < first: empty)

  const at = (position: number): LogEntry => ring[position % capacity]!;

  return {
    add(entry) {
      if (capacity === 0) return;
      if (entry.epoch !== epoch || entry.position !== last + 1 || last < first) {
        epoch = entry.epoch;
        first = entry.position;
      }
      last = entry.position;
      ring[last % capacity] = entry;
      if (last - first >= capacity) first = last - capacity + 1;
    },
    covers: (cursor) => last >= first && cursor.epoch === epoch && cursor.position >= first - 1 && cursor.position <= last,
    read(cursor, filter, limit, head, oldestTime) {
      if (last < first || cursor.epoch !== epoch || head.epoch !== epoch || head.position !== last) return undefined;
      if (cursor.position < first - 1 || cursor.position > last) return undefined;
      if (cursor.position < last && at(cursor.position + 1).time < oldestTime) return undefined;
      const entries: LogEntry[] = [];
      let position = cursor.position;
      while (position < last && entries.length < limit) {
        position++;
        const entry = at(position);
        if (filter.matches(entry.channel, entry.segments)) entries.push(entry);
      }
      return { epoch, entries, position, more: position < last };
    },
  };
}
