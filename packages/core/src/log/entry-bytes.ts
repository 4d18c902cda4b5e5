import type { LogEntry } from './broker';

/*
 * What a log entry costs in memory, as history counts it against its byte limit: its text when it
 * is made, and each framed copy a transport adds to it later ({@link noteFrameBytes}).
 */

/**
 * Counted for every entry besides its text: the entry object, its segments, its frames map and its
 * cursor. An estimate on the high side, so that many small messages are not counted as nothing.
 */
export const ENTRY_OVERHEAD_BYTES = 512;

/**
 * The bytes an entry holds when it is made: its payload and its JSON form (two strings: the JSON
 * embeds a copy of the payload), one byte per character, plus {@link ENTRY_OVERHEAD_BYTES}. Text
 * outside Latin-1 takes two bytes per character in V8, so such text is counted at half its size.
 */
export function entryTextBytes(entry: LogEntry): number {
  return ENTRY_OVERHEAD_BYTES + entry.payload.length + entry.json.length + entry.channel.length;
}

/** Whoever keeps an entry and counts its bytes: told of each frame added to it while it is kept. */
export interface EntryOwner {
  /** `bytes` more are held for `entry` (a framed copy was added to it). */
  grew(entry: LogEntry, bytes: number): void;
}

/**
 * The owner of each entry held in a history ring. Weak: an entry the ring let go (and nothing else
 * holds) goes with its row. Looked up only when a frame is built (once per entry and wire form),
 * never when a cached frame is sent.
 */
const owners = new WeakMap<LogEntry, EntryOwner>();

/** `owner` now keeps `entry` (`undefined`: nobody does any more). */
export function setEntryOwner(entry: LogEntry, owner: EntryOwner | undefined): void {
  if (owner) owners.set(entry, owner);
  else owners.delete(entry);
}

/** A framed copy of `bytes` was added to `entry`: its owner, if any, counts them. */
export function noteFrameBytes(entry: LogEntry, bytes: number): void {
  owners.get(entry)?.grew(entry, bytes);
}
