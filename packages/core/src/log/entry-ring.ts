import type { LogEntry, ReadResult } from './broker';
import type { ChannelFilter } from './channel-filter';
import { entryTextBytes, setEntryOwner, type EntryOwner } from './entry-bytes';

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
 *
 * It is bounded by bytes too: each entry counts its text when added and each framed copy a
 * transport adds to it while held (the ring owns its entries, see `entry-bytes.ts`); past
 * `maxBytes` the oldest entries go, the newest too if it alone is over.
 */
export class EntryRing implements EntryOwner {
  private readonly slots: (LogEntry | undefined)[];
  /** The bytes counted for the entry in the same slot. */
  private readonly sizes: number[];
  private ringEpoch: string;
  private oldest: number;
  private newest: number;
  private held = 0;

  /**
   * An empty ring of `epoch` (`''`: none yet) whose next entry is `next` (default 1, a log's first
   * position), keeping at most `capacity` entries and `maxBytes` bytes of them (default: no byte
   * limit). A capacity of 0 keeps nothing.
   */
  constructor(
    private readonly capacity: number,
    epoch = '',
    next = 1,
    private readonly maxBytes = Infinity,
  ) {
    this.slots = new Array<LogEntry | undefined>(capacity);
    this.sizes = new Array<number>(capacity).fill(0);
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

  /** Bytes counted for the entries held (their text and their frames). */
  get bytes(): number {
    return this.held;
  }

  /** Adds `entry` after the newest; the oldest go when the ring is full, by count or by bytes. */
  push(entry: LogEntry): void {
    if (this.capacity === 0) return;
    if (entry.epoch !== this.ringEpoch || entry.position !== this.newest + 1) {
      this.dropTo(this.newest + 1);
      this.ringEpoch = entry.epoch;
      this.oldest = entry.position;
    } else if (entry.position - this.oldest >= this.capacity) {
      this.dropTo(entry.position - this.capacity + 1);
    }
    this.newest = entry.position;
    const slot = this.newest % this.capacity;
    const size = entryTextBytes(entry);
    this.slots[slot] = entry;
    this.sizes[slot] = size;
    this.held += size;
    setEntryOwner(entry, this);
    this.fitBytes();
  }

  /** {@link EntryOwner}: a frame of `bytes` was added to `entry`, counted while the ring holds it. */
  grew(entry: LogEntry, bytes: number): void {
    const slot = entry.position % this.capacity;
    if (this.slots[slot] !== entry) return;
    this.sizes[slot]! += bytes;
    this.held += bytes;
    this.fitBytes();
  }

  /**
   * Drops entries from the oldest while they were published before `time` (entries are in time
   * order, so the first younger one ends it), releasing them at once rather than when overwritten.
   */
  dropOlderThan(time: number): void {
    let keep = this.oldest;
    while (keep <= this.newest && this.slots[keep % this.capacity]!.time < time) keep++;
    this.dropTo(keep);
  }

  /** Drops the oldest entries while the bytes held are over the limit. */
  private fitBytes(): void {
    let keep = this.oldest;
    let held = this.held;
    while (held > this.maxBytes && keep <= this.newest) held -= this.sizes[keep++ % this.capacity]!;
    this.dropTo(keep);
  }

  /** Drops every entry before position `keep`, releasing it and its count. */
  private dropTo(keep: number): void {
    for (; this.oldest < keep && this.oldest <= this.newest; this.oldest++) {
      const slot = this.oldest % this.capacity;
      setEntryOwner(this.slots[slot]!, undefined);
      this.held -= this.sizes[slot]!;
      this.slots[slot] = undefined;
      this.sizes[slot] = 0;
    }
    if (this.oldest < keep) this.oldest = keep;
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
