import type { LogEntry } from './broker';
import { formatCursor } from './cursor';

/** Builds a {@link LogEntry}; every broker makes its entries here so the wire form is one. */
export function createLogEntry(
  epoch: string,
  position: number,
  channel: string,
  segments: readonly string[],
  payload: string,
  time: number,
): LogEntry {
  const cursor = formatCursor({ epoch, position });
  const json = `{"channel":${JSON.stringify(channel)},"cursor":"${cursor}","data":${payload}}`;
  return { epoch, position, channel, segments, payload, time, cursor, json, frames: new Map() };
}

/**
 * A message's wire form for one transport (`key`), built once by `build` and kept on the log
 * entry, so every subscriber of that transport is sent the same buffer.
 */
export function cachedFrame(entry: LogEntry, key: string, build: (entry: LogEntry) => string): Buffer {
  let frame = entry.frames.get(key);
  if (!frame) {
    frame = Buffer.from(build(entry));
    entry.frames.set(key, frame);
  }
  return frame;
}
