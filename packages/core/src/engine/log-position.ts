import type { LogEntry } from '../log/broker';
import { formatCursor, type Cursor } from '../log/cursor';
import { withPositions } from '../log/log-entry';

/**
 * A place in the log: where this process's dispatch stands (the engine's head), or where a
 * subscriber stands: what it has been handed (or read past), and, apart, the newest entry queued
 * for it. A log of one partition keeps one number for each; a partitioned log keeps one per
 * partition. Each step (advance to an entry, is it caught up, the cursor text) is written once
 * per shape, in the two classes below; the engine picks the shape once ({@link createPosition})
 * and never branches on it again.
 *
 * Moved in place, for speed: a subscriber's position is one object made with it (the handed and
 * queued places share it: a second object per held subscriber cost 40 bytes of heap, bench
 * `subscriber-memory`), and in a log of one partition the steps of dispatch and delivery
 * (`follow`, `stamp`, `queue`, `pass`, `passShared`) allocate nothing (bench `alloc-cycle`). A
 * partitioned log copies its positions where a cursor must keep them (a stamped entry, a cursor
 * handed out).
 */
export interface LogPosition {
  /** The log's epoch; empty until the position is set. */
  readonly epoch: string;
  /** A cursor's `position`: the last entry's in a log of one partition, the sum over partitions in a partitioned one. */
  readonly position: number;
  /** Moves to `cursor` (a read's result, a client's cursor); a partitioned one keeps its own copy. */
  setTo(cursor: Cursor): void;
  /**
   * Marks `entry` queued when it lies ahead of the newest entry queued in its partition (or
   * belongs to another epoch: positions start over). False, and nothing changes, when it was
   * queued already: a second pattern matching one entry, or one a history read went past.
   */
  queue(entry: LogEntry): boolean;
  /** After a read: what was handed counts as queued (an entry the read went past is not queued again). */
  queueUpToHanded(): void;
  /** Moves past `entry`, handed and queued both, wherever it lies (the last of a group's shared batch). */
  passShared(entry: LogEntry): void;
  /** True when `entry` (of this epoch) lies ahead of this position in its partition. */
  isBefore(entry: LogEntry): boolean;
  /** True when this position is of `other`'s epoch and behind it nowhere: reading after it finds nothing `other` has not seen. */
  reaches(other: LogPosition): boolean;
  /**
   * Moves past `entries` (in order, of this epoch) and returns them with cursors that name this
   * position after each: the same array unless an entry's own cursor names less than this reader
   * has seen (a partitioned log's reader whose history read went past the feed).
   */
  pass(entries: LogEntry[]): LogEntry[];
  /**
   * Takes the dispatch of `entry` from the broker's feed: moves to it and says whether it is the
   * next entry, one `seen` already (a feed that replays), or one after a `hole` (the feed skipped
   * entries). `brokerHead` says where a new log's other partitions stand.
   */
  follow(entry: LogEntry, brokerHead: () => Cursor): FeedStep;
  /** `entry` with a cursor naming this position, as a fed entry reaches subscribers that are caught up. */
  stamp(entry: LogEntry): LogEntry;
  /** A cursor of its own (a copy). */
  cursor(): Cursor;
  /** This position as cursor text. */
  text(): string;
  /** This position raised to `head` where that is ahead, as cursor text (a caught-up reader's cursor). */
  textRaisedTo(head: LogPosition): string;
}

/** What a fed entry is to the dispatch: the next one, one seen already, or one after a hole. */
export type FeedStep = 'next' | 'seen' | 'hole';

/** A position of the log's shape: `partitions` above 1 keeps one per partition. */
export function createPosition(partitions: number): LogPosition {
  return partitions > 1 ? new PartitionedPosition(partitions) : new OneLogPosition();
}

/** A log of one partition: the position of the last entry reached, and of the newest queued. */
class OneLogPosition implements LogPosition {
  private currentEpoch = '';
  private at = 0;
  private queuedEpoch = '';
  private queuedAt = 0;

  get epoch(): string {
    return this.currentEpoch;
  }

  get position(): number {
    return this.at;
  }

  setTo(cursor: Cursor): void {
    this.currentEpoch = cursor.epoch;
    this.at = cursor.position;
  }

  queue(entry: LogEntry): boolean {
    if (entry.epoch === this.queuedEpoch && entry.position <= this.queuedAt) return false;
    this.queuedEpoch = entry.epoch;
    this.queuedAt = entry.position;
    return true;
  }

  queueUpToHanded(): void {
    this.queuedAt = this.queuedEpoch === this.currentEpoch ? Math.max(this.queuedAt, this.at) : this.at;
    this.queuedEpoch = this.currentEpoch;
  }

  passShared(entry: LogEntry): void {
    this.at = this.queuedAt = entry.position;
  }

  isBefore(entry: LogEntry): boolean {
    return entry.position > this.at;
  }

  reaches(other: LogPosition): boolean {
    return this.currentEpoch === other.epoch && this.at >= other.position;
  }

  pass(entries: LogEntry[]): LogEntry[] {
    this.at = entries[entries.length - 1]!.position;
    return entries;
  }

  follow(entry: LogEntry): FeedStep {
    const hole = entry.epoch === this.currentEpoch && entry.position !== this.at + 1;
    if (hole && entry.position <= this.at) return 'seen';
    this.currentEpoch = entry.epoch;
    this.at = entry.position;
    return hole ? 'hole' : 'next';
  }

  stamp(entry: LogEntry): LogEntry {
    return entry; // one partition: the entry's own cursor is the head's
  }

  cursor(): Cursor {
    return { epoch: this.currentEpoch, position: this.at };
  }

  text(): string {
    return formatCursor({ epoch: this.currentEpoch, position: this.at });
  }

  textRaisedTo(head: LogPosition): string {
    return formatCursor({ epoch: this.currentEpoch, position: Math.max(this.at, head.position) });
  }
}

/**
 * A partitioned log: the position reached in each partition (undefined until one is known: a
 * subscriber's before its first read), and of the newest entry queued in each. Only positions of
 * one epoch are compared.
 */
class PartitionedPosition implements LogPosition {
  private currentEpoch = '';
  private positions: number[] | undefined;
  private queuedEpoch = '';
  private queued: number[] | undefined;

  constructor(private readonly partitions: number) {}

  get epoch(): string {
    return this.currentEpoch;
  }

  get position(): number {
    return this.positions ? sumOf(this.positions) : 0;
  }

  /** The position in each partition (the array itself: read, never keep). */
  get each(): readonly number[] | undefined {
    return this.positions;
  }

  setTo(cursor: Cursor): void {
    this.currentEpoch = cursor.epoch;
    if (cursor.positions) this.positions = cursor.positions.slice();
  }

  queue(entry: LogEntry): boolean {
    let queued = this.queued;
    if (entry.epoch !== this.queuedEpoch || !queued) queued = this.queued = new Array<number>(this.partitions).fill(0);
    if (entry.position <= queued[entry.partition]!) return false;
    queued[entry.partition] = entry.position;
    this.queuedEpoch = entry.epoch;
    return true;
  }

  queueUpToHanded(): void {
    const { positions } = this;
    if (positions) {
      if (this.queuedEpoch === this.currentEpoch && this.queued) raise(this.queued, positions);
      else this.queued = positions.slice();
    }
    this.queuedEpoch = this.currentEpoch;
  }

  passShared(entry: LogEntry): void {
    // Never called: members of a partitioned log do not share a group's queue.
    (this.positions ??= new Array<number>(this.partitions).fill(0))[entry.partition] = entry.position;
    (this.queued ??= new Array<number>(this.partitions).fill(0))[entry.partition] = entry.position;
  }

  isBefore(entry: LogEntry): boolean {
    return !this.positions || entry.position > this.positions[entry.partition]!;
  }

  reaches(other: LogPosition): boolean {
    const theirs = (other as PartitionedPosition).each;
    return this.currentEpoch === other.epoch && this.positions !== undefined && theirs !== undefined && atOrAhead(this.positions, theirs);
  }

  pass(entries: LogEntry[]): LogEntry[] {
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

  follow(entry: LogEntry, brokerHead: () => Cursor): FeedStep {
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

  stamp(entry: LogEntry): LogEntry {
    // A fed entry's cursor must name what a caught-up reader has seen with it: this process's head.
    const positions = this.positions!;
    return entry.positions && samePositions(entry.positions, positions) ? entry : withPositions(entry, positions.slice());
  }

  cursor(): Cursor {
    if (!this.positions) return { epoch: this.currentEpoch, position: 0 };
    return { epoch: this.currentEpoch, position: sumOf(this.positions), positions: this.positions.slice() };
  }

  text(): string {
    if (!this.positions) return formatCursor({ epoch: this.currentEpoch, position: 0 });
    return formatCursor({ epoch: this.currentEpoch, position: sumOf(this.positions), positions: this.positions });
  }

  textRaisedTo(head: LogPosition): string {
    const theirs = (head as PartitionedPosition).each;
    if (!this.positions || !theirs) return this.text();
    const positions = this.positions.slice();
    raise(positions, theirs);
    return formatCursor({ epoch: this.currentEpoch, position: sumOf(positions), positions });
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
