import type { Batch } from '../engine/subscriber';

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
