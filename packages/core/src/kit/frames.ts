import type { LogEntry } from '../log/broker';
import { cursorBeforeEntry } from '../log/log-entry';
import { noteFrameBytes } from '../log/entry-bytes';
import type { Batch } from '../engine/subscriber';

/*
 * The framed-message caches, in one place: a message's frame per wire form kept on its log entry
 * ({@link cachedFrame}), and what was built for the last batch per wire form ({@link LastBatchCache},
 * {@link sharedBatchFrame}, {@link joinedFrames}), so that subscribers at one position share bytes.
 */

/**
 * Remembers what was built for the last batch, so that the subscribers flushed one after another
 * in one turn, all held at the same position, share one body instead of each building its own.
 * (The last batch object is kept too: it stays alive until the next batch, a few entries at most.)
 * One slot: memory stays bounded whatever the positions; a miss only means building again.
 */
export class LastBatchCache<T> {
  private key: string | undefined;
  private value: T | undefined;
  /** The last batch object seen: the engine hands one object to every subscriber of a group. */
  private batch: Batch | undefined;

  /**
   * The value for `batch`, built with `build` unless the last batch was the same one: the same
   * object (whatever it holds: the engine hands one object to every subscriber of a group), or
   * one whose key names the same contents.
   */
  get(batch: Batch, build: (batch: Batch) => T): T {
    if (batch === this.batch) return this.value!;
    const key = sharedKey(batch);
    if (key === undefined || key !== this.key) {
      this.value = build(batch);
      this.key = key;
    }
    this.batch = batch;
    return this.value!;
  }
}

/**
 * A key that names a batch's contents exactly: consecutive positions of one epoch (so no filter
 * could have left a hole) and the cursor after them. Batches with a gap or a hole are not shared.
 */
function sharedKey(batch: Batch): string | undefined {
  const { entries } = batch;
  const first = entries[0];
  const last = entries[entries.length - 1];
  if (batch.gap || !first || !last || first.epoch !== last.epoch) return undefined;
  // Positions count entries within one partition only; and there, the first cursor names the
  // reader's place in the other partitions, which the entries that follow do not move.
  if (first.positions && entries.some((entry) => entry.partition !== first.partition)) return undefined;
  if (last.position - first.position + 1 !== entries.length) return undefined;
  // The partition too: one cursor text can name the place after an entry of either of two partitions.
  return first.positions ? `${first.partition}:${first.cursor}/${entries.length}/${batch.cursor}` : `${first.cursor}/${entries.length}/${batch.cursor}`;
}

/**
 * A message's wire form for one transport (`key`), built once by `build` (text, or the bytes
 * themselves) and kept on the log entry, so every subscriber of that transport is sent the same buffer.
 * The history holding the entry counts the frame's bytes against its `maxBytes`.
 */
export function cachedFrame(entry: LogEntry, key: string, build: (entry: LogEntry) => string | Buffer): Buffer {
  let frame = entry.frames.get(key);
  if (!frame) {
    const built = build(entry);
    frame = typeof built === 'string' ? Buffer.from(built) : built;
    entry.frames.set(key, frame);
    noteFrameBytes(entry, frame.length);
  }
  return frame;
}

const lastBuilt = new Map<string, LastBatchCache<Buffer>>();

/**
 * What `build` makes of a batch for one wire form (`key`), made once per batch: every subscriber
 * at the same position is sent the same buffer, in one write.
 */
export function sharedBatchFrame(batch: Batch, key: string, build: (batch: Batch) => Buffer): Buffer {
  let cache = lastBuilt.get(key);
  if (!cache) lastBuilt.set(key, (cache = new LastBatchCache<Buffer>()));
  // `build` itself, not a closure around it: this runs once per subscriber of every batch.
  return cache.get(batch, build);
}

/** One builder per wire form: {@link joinedFrames} runs once per subscriber of every batch. */
const joiners = new Map<string, (batch: Batch) => Buffer>();

/**
 * A batch's frames as one buffer (each message's frame, made by `frame` and cached on the entry
 * under `key`, put together by `join`: one after another unless told otherwise), made once per
 * batch and key (see {@link sharedBatchFrame}). A key names one wire form: its `frame` and `join`
 * are the same on every call.
 */
export function joinedFrames(
  batch: Batch,
  key: string,
  frame: (entry: LogEntry) => string | Buffer,
  join: (parts: Buffer[]) => Buffer = Buffer.concat,
): Buffer {
  let build = joiners.get(key);
  if (!build) joiners.set(key, (build = ({ entries }) => join(entries.map((entry) => cachedFrame(entry, key, frame)))));
  return sharedBatchFrame(batch, key, build);
}

/** The cursor just before a batch's first message: resuming from it loses none of the batch. */
export function cursorBefore(batch: Batch): string {
  const first = batch.entries[0];
  return first ? cursorBeforeEntry(first) : batch.cursor;
}
