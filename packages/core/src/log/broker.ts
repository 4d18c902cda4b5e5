import type { ChannelFilter } from './channel-filter';
import type { Cursor } from './cursor';

/**
 * One published message as the log holds it. The payload is serialised once at publish time and
 * the wire form of the message once per transport (see {@link LogEntry.frames}), whatever the
 * number of subscribers.
 */
export interface LogEntry {
  /** Epoch of the log this entry belongs to. */
  readonly epoch: string;
  /** Position in the log (in its partition); positions of one epoch are consecutive from 1. */
  readonly position: number;
  /** The partition the entry is in: 0 in a log of one partition. */
  readonly partition: number;
  /**
   * With several partitions: the position in every partition that {@link LogEntry.cursor} names
   * (the reader's, or for a fed entry the feed's head right after it). Absent with one partition.
   */
  readonly positions?: readonly number[];
  /** Canonical channel name. */
  readonly channel: string;
  readonly segments: readonly string[];
  /** The message data as JSON text. */
  readonly payload: string;
  /** Publish time, ms since the epoch of the clock (not the log's epoch). */
  readonly time: number;
  /** Cursor text that names this entry. */
  readonly cursor: string;
  /** `{"channel":…,"cursor":…,"data":…}`: the message as every JSON-based transport sends it. */
  readonly json: string;
  /** Per-transport framing of this entry, made on first use and shared by every subscriber. */
  readonly frames: Map<string, Buffer>;
}

/** Why a client's cursor could not be continued (`expired`, `epoch`). */
export type { GapReason } from '@cometkit/protocol';
import type { GapReason } from '@cometkit/protocol';

/** The answer to a read from a cursor. */
export interface ReadResult {
  /** The log's current epoch. */
  readonly epoch: string;
  /** Matching entries after the cursor, in order, at most the limit asked for. */
  readonly entries: readonly LogEntry[];
  /** Position the reader has now seen up to (matching or not); with partitions, their sum. */
  readonly position: number;
  /** With several partitions: the position the reader has seen up to in each. */
  readonly positions?: readonly number[];
  /** True when the limit cut the read short: more entries after `position` may match. */
  readonly more: boolean;
  /** Set when entries were lost between the cursor and what this read returns. */
  readonly gap?: GapReason;
}

/**
 * Owns the ordered log: appends, reads from a cursor, and tells listeners of every new entry in
 * order. The memory broker serves one process; others (Redis) share one log between processes.
 */
export interface Broker {
  /**
   * How many partitions the log is split into (default 1). Each has its own consecutive positions
   * and a channel lives in one; cursors, `head()` and reads then carry one position per partition.
   */
  readonly partitions?: number;
  /**
   * Appends a message; resolves with the entry once it is in the log. Positions of one epoch are
   * consecutive integers from 1, assigned atomically across every process sharing the log.
   */
  publish(channel: string, segments: readonly string[], payload: string): Promise<LogEntry>;
  /**
   * Reads entries after `cursor` that pass `filter`, at most `limit`. No cursor means "from now":
   * nothing is returned and `position` is the head. With several partitions, entries of one
   * partition come in its order (partitions interleaved as the broker likes), each with the
   * cursor the reader has reached with it (`positions`), and a cursor whose partition count is not
   * the log's is from another log (the `epoch` gap).
   */
  read(cursor: Cursor | undefined, filter: ChannelFilter, limit: number): Promise<ReadResult>;
  /**
   * Calls `listener` for every new entry of the log (every channel, every publisher), in log
   * order, with consecutive positions (per partition; each fed entry then carries the feed's head
   * right after it in `positions`). A broker whose feed was interrupted (a lost connection)
   * backfills from the last position it delivered. Should it still skip, the engine notices the
   * hole and has its live subscribers read the missing entries from history: nothing is lost
   * either way, but a backfill avoids the extra reads. Returns the function that stops it.
   *
   * `onBatchEnd`, when the broker calls it, says that the entries fed since the last call came
   * as one batch gathered elsewhere (a feed message carrying what another process, or this one,
   * published in one turn): the engine then hands them to its subscribers once the I/O callback
   * that brought them returns, instead of at the end of the event-loop turn, which under load is
   * a whole poll phase later. A broker that never calls it (the memory broker: its entries come
   * from publishes of this turn, which the end of the turn gathers) loses nothing.
   */
  onEntry(listener: (entry: LogEntry) => void, onBatchEnd?: () => void): () => void;
  /**
   * The epoch and the position of the last entry this process dispatched to its `onEntry`
   * listeners: where "from now" starts. Other processes may be ahead of it; a cursor ahead of
   * it (in the same epoch) is therefore not a gap: a read from it returns nothing yet.
   */
  head(): Cursor;
  /** Releases what the broker holds (connections, timers). */
  close(): Promise<void>;
}
