import type { LogEntry, ReadResult } from '../log/broker';

/**
 * How many of `entries` make one batch: at most `limit`, stopping before the entry that would take
 * the batch past `maxBytes` (always at least one, so a batch always moves its client on). Bytes
 * are counted as each entry's `json` length, known already: no entry is measured or encoded
 * anew, and nothing is allocated (this runs on every flush). A JSON text's length is its UTF-8
 * size for ASCII, and at most three times less than it otherwise.
 */
export function batchSize(entries: readonly LogEntry[], limit: number, maxBytes: number): number {
  const most = Math.min(entries.length, limit);
  let bytes = 0;
  for (let i = 0; i < most; i++) {
    bytes += entries[i]!.json.length;
    if (bytes > maxBytes && i > 0) return i;
  }
  return most;
}

/**
 * A history read cut to one batch of at most `maxBytes` (see {@link batchSize}): the reader's
 * place moves to the last entry kept, and `more` says the rest is to be read. The read itself
 * when it fits (the usual case: nothing is copied).
 */
export function cutRead(result: ReadResult, maxBytes: number): ReadResult {
  const { entries } = result;
  const size = batchSize(entries, entries.length, maxBytes);
  if (size === entries.length) return result;
  const kept = entries.slice(0, size);
  const last = kept[size - 1]!;
  // Each entry of a partitioned read carries the reader's positions once past it (see `Broker.read`).
  const { positions } = last;
  const position = positions ? positions.reduce((sum, at) => sum + at, 0) : last.position;
  const cut = { epoch: result.epoch, entries: kept, position, more: true };
  const placed = positions ? { ...cut, positions } : cut;
  return result.gap ? { ...placed, gap: result.gap } : placed;
}
