import { createLogEntry, type LogEntry } from '@cometkit/core/kit';

/** A stream entry as XRANGE returns it: `[id, [field, value, …]]`, fields `c`, `d`, `t` in that order. */
export type StreamEntry = [id: string, fields: string[]];

/** The {@link LogEntry} of one stream entry of `epoch`. */
export function fromStream(epoch: string, [id, fields]: StreamEntry): LogEntry {
  const channel = fields[1]!;
  return createLogEntry(epoch, Number.parseInt(id, 10), channel, channel.split('/'), fields[3]!, Number(fields[5]));
}

/**
 * The {@link LogEntry}s of one feed message, a JSON array `[epoch, first position, time, channel,
 * payload, channel, payload, …]` (one batch of consecutive positions). Undefined for anything else,
 * which a feed treats as a hole to read past.
 */
export function fromFeed(text: string): LogEntry[] | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || parts.length < 5 || parts.length % 2 === 0 || !parts.every((p) => typeof p === 'string')) return undefined;
  const [epoch, firstText, timeText] = parts as string[];
  const first = Number(firstText);
  const time = Number(timeText);
  if (!Number.isSafeInteger(first) || first < 1 || !Number.isFinite(time)) return undefined;
  const entries: LogEntry[] = [];
  for (let i = 3, position = first; i < parts.length; i += 2, position++) {
    const channel = parts[i] as string;
    if (channel === '') return undefined;
    entries.push(createLogEntry(epoch!, position, channel, channel.split('/'), parts[i + 1] as string, time));
  }
  return entries;
}
