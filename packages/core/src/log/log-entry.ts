import type { LogEntry } from './broker';
import { formatCursor } from './cursor';
import { FrameCache } from './entry-bytes';

/** Builds a {@link LogEntry}; every broker makes its entries here so the wire form is one. */
export function createLogEntry(
  epoch: string,
  position: number,
  channel: string,
  segments: readonly string[],
  payload: string,
  time: number,
  partition = 0,
  positions?: readonly number[],
): LogEntry {
  const cursor = positions ? formatCursor({ epoch, position, positions }) : formatCursor({ epoch, position });
  const json = `{"channel":${JSON.stringify(channel)},"cursor":"${cursor}","data":${payload}}`;
  const entry = { epoch, position, partition, channel, segments, payload, time, cursor, json, frames: new FrameCache() };
  return positions ? { ...entry, positions } : entry;
}

/**
 * The same entry as a reader at `positions` sees it (its cursor names them). For a partitioned
 * log, where an entry's cursor depends on how far its reader is in the other partitions.
 */
export function withPositions(entry: LogEntry, positions: readonly number[]): LogEntry {
  return createLogEntry(entry.epoch, entry.position, entry.channel, entry.segments, entry.payload, entry.time, entry.partition, positions);
}

/** The cursor just before `entry` (resuming from it loses neither it nor anything after it). */
export function cursorBeforeEntry(entry: LogEntry): string {
  const { epoch, positions } = entry;
  if (!positions) return formatCursor({ epoch, position: entry.position - 1 });
  const before = positions.slice();
  before[entry.partition] = entry.position - 1;
  return formatCursor({ epoch, position: 0, positions: before });
}
