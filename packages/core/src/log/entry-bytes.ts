import type { LogEntry } from './broker';

/*
 * What a log entry costs in memory, as history counts it against its byte limit: its text when it
 * is made, and each framed copy a transport adds to it later ({@link noteFrameBytes}).
 */

/**
 * Counted for every entry besides its text: the entry object, its segments, its frames map and its
 * cursor. Measured: 10,000 entries of a few bytes with six frames each held about 2,020 bytes
 * each, counted 2,300 with this and {@link FRAME_OVERHEAD_BYTES}; so many small messages are not
 * counted as nothing.
 */
export const ENTRY_OVERHEAD_BYTES = 640;

/** Counted for every frame besides its bytes: the `Buffer` object and its row in the frames map. */
export const FRAME_OVERHEAD_BYTES = 160;

/**
 * The bytes an entry holds when it is made: its payload, its JSON form (two strings: the JSON
 * embeds a copy of the payload) and its channel, one byte per character, plus {@link ENTRY_OVERHEAD_BYTES}. Text
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
 * An entry's framed copies (its {@link LogEntry.frames}) and whoever keeps the entry and counts
 * them. On the frames themselves rather than in a table of owners: setting and clearing a field
 * costs a publish nothing, where a `WeakMap` of ten thousand entries doubled its cost.
 */
export class FrameCache extends Map<string, Buffer> {
  /** Who keeps the entry and counts its bytes: none when nobody does (yet, or any more). */
  owner: EntryOwner | undefined = undefined;
}

/** `owner` now keeps `entry` (`undefined`: nobody does any more). Frames of a hand-made entry are not counted. */
export function setEntryOwner(entry: LogEntry, owner: EntryOwner | undefined): void {
  if (entry.frames instanceof FrameCache) entry.frames.owner = owner;
}

/**
 * A framed copy of `bytes` was added to `entry`: its owner, if any, counts them (and
 * {@link FRAME_OVERHEAD_BYTES}).
 */
export function noteFrameBytes(entry: LogEntry, bytes: number): void {
  (entry.frames as FrameCache).owner?.grew(entry, bytes + FRAME_OVERHEAD_BYTES);
}
