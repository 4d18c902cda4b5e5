import type { LogEntry, ReadResult } from './broker';
import type { ChannelFilter } from './channel-filter';

/**
 * The last `capacity` entries of one log (one partition of it), by position: a ring buffer, so
 * adding and dropping cost O(1) and a read from a cursor indexes straight to its next entry.
 *
 * The memory broker keeps its whole history in one; the Redis broker keeps the last entries each
 * partition's feed brought in one, to answer reads near the head with no Redis call. Both read it
 * once per poll, so it allocates nothing but the read's answer.
 *
 * It holds consecutive positions of one epoch, `first` to `last` (none when `first > last`). An
 * entry that is not the next one (another epoch, a hole) starts it again from that entry.
 */
export class EntryRing {
  private readonly slots: (LogEntry | undefined)[];
  private ringEpoch: string;
  private oldest: number;
  private newest: number;

  /**
   * An empty ring of `epoch` (`''`: none yet) whose next entry is `next` (default 1, a log's first
   * position). A capacity of 0 keeps nothing.
   */
  constructor(
    private readonly capacity: number,
    epoch = '',
    next = 1,
  ) {
    this.slots = new Array<LogEntry | undefined>(capacity);
    this.ringEpoch = epoch;
    this.oldest = next;
    this.newest = next - 1;
  }

  /** The epoch of the entries held (of the last entry added). */
  get epoch(): string {
    return this.ringEpoch;
  }

  /** Position of the oldest entry held. */
  get first(): number {
    return this.oldest;
  }

  /** Position of the newest entry added: still the ring's end when every entry was dropped by age. */
  get last(): number {
    return this.newest;
  }

  /** Adds `entry` after the newest; the oldest goes when the ring is full. */
  push(entry: LogEntry): void {
    if (this.capacity === 0) return;
    if (entry.epoch !== this.ringEpoch || entry.position !== this.newest + 1) {
      this.ringEpoch = entry.epoch;
      this.oldest = entry.position;
    }
    this.newest = entry.position;
    this.slots[this.newest % this.capacity] = entry;
    if (this.newest - this.oldest >= this.capacity) this.oldest = this.newest - this.capacity + 1;
  }

  /**
   * Drops entries from the oldest while they were published before `time` (entries are in time
   * order, so the first younger one ends it), releasing them at once rather than when overwritten.
   */
  dropOlderThan(time: number): void {
    while (this.oldest <= this.newest && this.slots[this.oldest % this.capacity]!.time < time) {
      this.slots[this.oldest % this.capacity] = undefined;
      this.oldest++;
    }
  }

  /**
   * Whether a reader of `epoch` after `position` is answered exactly here: the same epoch, and
   * nothing between it and the ring dropped (from just before the oldest entry held to the newest).
   */
  covers(epoch: string, position: number): boolean {
    return epoch === this.ringEpoch && position >= this.oldest - 1 && position <= this.newest;
  }

  /**
   * The entries after `after` (which the ring covers) that pass `filter`, at most `limit`, in the
   * ring's epoch: `position` is the last entry looked at, matching or not, and `more` says the
   * limit stopped the read before the newest.
   */
  read(after: number, filter: ChannelFilter, limit: number): ReadResult {
    const entries: LogEntry[] = [];
    let position = after;
    while (position < this.newest && entries.length < limit) {
      position++;
      const entry = this.slots[position % this.capacity]!;
      if (filter.matches(entry.channel, entry.segments)) entries.push(entry);
    }
    return { epoch: this.ringEpoch, entries, position, more: position < this.newest };
  }

  /** Every entry after `after` (which the ring covers), at most `count`, in order. */
  slice(after: number, count: number): LogEntry[] {
    const entries: LogEntry[] = [];
    const end = Math.min(this.newest, after + count);
    for (let position = after + 1; position <= end; position++) entries.push(this.slots[position % this.capacity]!);
    return entries;
  }
}
