import type { LogEntry } from '../log/broker';
import { formatCursor, type Cursor } from '../log/cursor';
import { withPositions } from '../log/log-entry';

/** What a fed entry is to the dispatch: the next one, one seen already, or one after a hole. */
export type FeedStep = 'next' | 'seen' | 'hole';

/**
 * A place in the log: where this process's dispatch stands ({@link DispatchHead}), or where a
 * subscriber stands (a `Subscriber` is one): what it has been handed (or read past), and, apart,
 * the newest entry queued for it. A log of one partition keeps one number for each; a
 * partitioned log keeps one per partition. Each step (follow the feed, queue an entry once, is it
 * caught up, the cursor text) is one method here, the partitioned case beside the one-log case,
 * so no step is written twice anywhere else.
 *
 * Shaped for speed: a subscriber extends it rather than holding one, so its place lives in the
 * subscriber object itself. A separate object cost 40 bytes of heap per held subscriber (bench
 * `subscriber-memory`) and a pointer chase on every delivery of a group's shared batch (about a
 * third more CPU time in an engine-only fan-out of 10M deliveries). In a log of one partition the
 * steps of dispatch and delivery allocate nothing (bench `alloc-cycle`); a partitioned log copies
 * its positions where a cursor must keep them (a stamped entry, a cursor handed out).
 *
 * Its steps are protected: a subscriber's own business, never a door's.
 */
export class LogPosition {
  private currentEpoch = '';
  /** One partition: the last entry reached. */
  private at = 0;
  private queuedEpoch = '';
  /** One partition: the newest entry queued. */
  private queuedAt = 0;
  /** Several partitions: the position reached in each (undefined until one is known: before a subscriber's first read). */
  private positions: number[] | undefined;
  /** Several partitions: the newest entry queued in each. */
  private queuedPositions: number[] | undefined;

  constructor(
    /** The log's partition count: above 1, positions are kept one per partition. */
    protected readonly partitions: number,
    from: Cursor,
  ) {
    this.setTo(from);
  }

  /** The log's epoch. */
  get epoch(): string {
    return this.currentEpoch;
  }

  /** A cursor's `position`: the last entry's in a log of one partition, the sum over partitions in a partitioned one. */
  get position(): number {
    if (this.partitions === 1) return this.at;
    return this.positions ? sumOf(this.positions) : 0;
  }

  /** Moves to `cursor` (a read's result, a client's cursor); a partitioned one keeps its own copy. */
  protected setTo(cursor: Cursor): void {
    this.currentEpoch = cursor.epoch;
    if (this.partitions === 1) this.at = cursor.position;
    else if (cursor.positions) this.positions = cursor.positions.slice();
  }

  /**
   * Marks `entry` queued when it lies ahead of the newest entry queued in its partition (or
   * belongs to another epoch: positions start over). False, and nothing changes, when it was
   * queued already: a second pattern matching one entry, or one a history read went past.
   */
  protected queue(entry: LogEntry): boolean {
    if (this.partitions === 1) {
      if (entry.epoch === this.queuedEpoch && entry.position <= this.queuedAt) return false;
      this.queuedAt = entry.position;
    } else {
      let queued = this.queuedPositions;
      if (entry.epoch !== this.queuedEpoch || !queued) queued = this.queuedPositions = new Array<number>(this.partitions).fill(0);
      if (entry.position <= queued[entry.partition]!) return false;
      queued[entry.partition] = entry.position;
    }
    this.queuedEpoch = entry.epoch;
    return true;
  }

  /** After a read: what was handed counts as queued (an entry the read went past is not queued again). */
  protected queueUpToHanded(): void {
    const sameEpoch = this.queuedEpoch === this.currentEpoch;
    if (this.partitions === 1) this.queuedAt = sameEpoch ? Math.max(this.queuedAt, this.at) : this.at;
    else if (this.positions) {
      if (sameEpoch && this.queuedPositions) raise(this.queuedPositions, this.positions);
      else this.queuedPositions = this.positions.slice();
    }
    this.queuedEpoch = this.currentEpoch;
  }

  /** Moves past `entry`, handed and queued both (the last of a group's shared batch: a log of one partition only). */
  protected passShared(entry: LogEntry): void {
    this.at = this.queuedAt = entry.position;
  }

  /** True when `entry` (of this epoch) lies ahead of what was handed, in its partition. */
  protected isBefore(entry: LogEntry): boolean {
    if (this.partitions === 1) return entry.position > this.at;
    return !this.positions || entry.position > this.positions[entry.partition]!;
  }

  /** True when this place is of `head`'s epoch and behind it nowhere: reading after it finds nothing `head` has not seen. */
  protected reaches(head: LogPosition): boolean {
    if (this.currentEpoch !== head.currentEpoch) return false;
    if (this.partitions === 1) return this.at >= head.at;
    return this.positions !== undefined && head.positions !== undefined && atOrAhead(this.positions, head.positions);
  }

  /**
   * Moves past `entries` (in order, of this epoch) and returns them with cursors that name this
   * place after each: the same array unless an entry's own cursor names less than this reader
   * has seen (a partitioned log's reader whose history read went past the feed).
   */
  protected pass(entries: LogEntry[]): LogEntry[] {
    if (this.partitions === 1) {
      this.at = entries[entries.length - 1]!.position;
      return entries;
    }
    const positions = this.positions;
    if (!positions) return entries;
    // Live entries carry the dispatching process's head as their cursor, right for every reader
    // that is not ahead of it in some partition (its history read went past the feed); those get
    // the entry at their own positions, so no cursor moves a reader back.
    let own: LogEntry[] | undefined;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const at = entry.positions;
      if (!at) {
        own?.push(entry); // a broker that gave none: its cursor is all there is
        continue;
      }
      raise(positions, at);
      positions[entry.partition] = entry.position;
      if (!own && samePositions(positions, at)) continue;
      own ??= entries.slice(0, i);
      own.push(samePositions(positions, at) ? entry : withPositions(entry, positions.slice()));
    }
    return own ?? entries;
  }

  /**
   * Takes the dispatch of `entry` from the broker's feed: moves to it and says whether it is the
   * next entry, one `seen` already (a feed that replays), or one after a `hole` (the feed skipped
   * entries). `brokerHead` says where a new log's other partitions stand.
   */
  protected follow(entry: LogEntry, brokerHead: () => Cursor): FeedStep {
    if (this.partitions === 1) {
      const hole = entry.epoch === this.currentEpoch && entry.position !== this.at + 1;
      if (hole && entry.position <= this.at) return 'seen';
      this.currentEpoch = entry.epoch;
      this.at = entry.position;
      return hole ? 'hole' : 'next';
    }
    const positions = (this.positions ??= new Array<number>(this.partitions).fill(0));
    if (entry.epoch === this.currentEpoch) {
      const last = positions[entry.partition]!;
      if (entry.position <= last) return 'seen';
      positions[entry.partition] = entry.position;
      return entry.position === last + 1 ? 'next' : 'hole';
    }
    // A new log: where its other partitions stand is the broker's to say.
    const head = entry.positions ?? brokerHead().positions ?? [];
    for (let i = 0; i < positions.length; i++) positions[i] = head[i] ?? 0;
    positions[entry.partition] = entry.position;
    this.currentEpoch = entry.epoch;
    return 'next';
  }

  /** `entry` with a cursor naming this place, as a fed entry reaches subscribers that are caught up. */
  protected stamp(entry: LogEntry): LogEntry {
    if (this.partitions === 1) return entry; // the entry's own cursor is the head's
    // A fed entry's cursor must name what a caught-up reader has seen with it: this process's head.
    const positions = this.positions!;
    return entry.positions && samePositions(entry.positions, positions) ? entry : withPositions(entry, positions.slice());
  }

  /** A cursor of its own (a copy). */
  protected cursor(): Cursor {
    if (this.partitions === 1) return { epoch: this.currentEpoch, position: this.at };
    if (!this.positions) return { epoch: this.currentEpoch, position: 0 };
    return { epoch: this.currentEpoch, position: sumOf(this.positions), positions: this.positions.slice() };
  }

  /** This place as cursor text. */
  protected text(): string {
    if (this.partitions === 1) return formatCursor({ epoch: this.currentEpoch, position: this.at });
    if (!this.positions) return formatCursor({ epoch: this.currentEpoch, position: 0 });
    return formatCursor({ epoch: this.currentEpoch, position: sumOf(this.positions), positions: this.positions });
  }

  /** This place raised to `head` where that is ahead, as cursor text (a caught-up reader's cursor). */
  protected textRaisedTo(head: LogPosition): string {
    if (this.partitions === 1) return formatCursor({ epoch: this.currentEpoch, position: Math.max(this.at, head.at) });
    if (!this.positions || !head.positions) return this.text();
    const positions = this.positions.slice();
    raise(positions, head.positions);
    return formatCursor({ epoch: this.currentEpoch, position: sumOf(positions), positions });
  }
}

/** Where this process's dispatch stands: the last entry the broker fed, moved only by the feed. */
export class DispatchHead extends LogPosition {
  override follow(entry: LogEntry, brokerHead: () => Cursor): FeedStep {
    return super.follow(entry, brokerHead);
  }

  override stamp(entry: LogEntry): LogEntry {
    return super.stamp(entry);
  }

  override cursor(): Cursor {
    return super.cursor();
  }
}

/** Raises each position of `target` to `source`'s where that is ahead. */
function raise(target: number[], source: readonly number[]): void {
  for (let i = 0; i < target.length; i++) if (source[i]! > target[i]!) target[i] = source[i]!;
}

/** True when no position of `a` is behind `b`'s (both of one partition count). */
function atOrAhead(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]! < b[i]!) return false;
  return true;
}

function samePositions(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && atOrAhead(a, b) && atOrAhead(b, a);
}

/** The sum of the positions: how many entries lie before them (a cursor's `position`). */
function sumOf(positions: readonly number[]): number {
  let sum = 0;
  for (const position of positions) sum += position;
  return sum;
}
