import { createLogEntry, type LogEntry } from '@cometkit/core';

/** A stream entry as XRANGE returns it: `[id, [field, value, …]]`, fields `c`, `d`, `t` in that order. */
export type StreamEntry = [id: string, fields: string[]];

/** The {@link LogEntry} of one stream entry of `epoch`. */
export function fromStream(epoch: string, [id, fields]: StreamEntry): LogEntry {
  const channel = fields[1]!;
  return createLogEntry(epoch, Number.parseInt(id, 10), channel, channel.split('/'), fields[3]!, Number(fields[5]));
}

/**
 * The {@link LogEntry} of one feed message: `epoch \n position \n time \n channel \n payload`
 * (neither an epoch, a number nor a channel name holds a newline; JSON text has them escaped).
 * Undefined for anything else, which a feed treats as a hole to read past.
 */
export function fromFeed(text: string): LogEntry | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 4; i++) {
    const end = text.indexOf('\n', start);
    if (end < 0) return undefined;
    parts.push(text.slice(start, end));
    start = end + 1;
  }
  const [epoch, position, time, channel] = parts as [string, string, string, string];
  const at = Number(position);
  if (!Number.isSafeInteger(at) || at < 1 || channel === '') return undefined;
  return createLogEntry(epoch, at, channel, channel.split('/'), text.slice(start), Number(time));
}
