import type { ChannelFilter, Cursor, LogEntry, ReadResult } from '@cometkit/core/kit';
import type { Appended } from './append-batcher';

/**
 * Where a log of one partition and a partitioned log differ, and nothing else: which partition a
 * channel lives in, and how positions are read from a cursor and formed into entries, cursors and
 * the head. The broker around it (appends, feeds, the read caches, closing) is one for both.
 */
export interface LogLayout {
  /** The partition `channel` lives in (0 in a log of one). */
  partitionOf(channel: string): number;
  /** Entry `entry` of partition `index`, as its feed brought it, as the broker's listeners get it. */
  fed(entry: LogEntry, index: number): LogEntry;
  /** The entry a publish appended to partition `index`, as its publisher gets it. */
  published(index: number, appended: Appended, channel: string, segments: readonly string[], payload: string): LogEntry;
  /** `Broker.head`: where "from now" starts. */
  head(): Cursor;
  /** `Broker.read`, through the partitions' read caches. */
  read(cursor: Cursor | undefined, filter: ChannelFilter, limit: number): Promise<ReadResult>;
}
