/** Something the flush schedule hands its waiting entries to: a subscriber, or a group's shared queue. */
export interface Flushable {
  flush(): void;
}

/** How long entries may wait for the per-turn flush before the next entry dispatched flushes them. */
export const MAX_FLUSH_WAIT_MS = 50;

/**
 * When live entries go out. Dispatch marks a subscriber (or a group) that has entries waiting;
 * every marked one is flushed once, so a burst of entries becomes one batch per client:
 *
 * - at the end of the event-loop turn (`setImmediate`), the usual case;
 * - when the broker's feed brought a batch whole ({@link FlushSchedule.batchFed}): once the
 *   callback that read it returns (a microtask), not a whole poll phase later;
 * - when the turn's end is starved ({@link FlushSchedule.flushIfStarved}): under a flood of I/O
 *   libuv polls again while events keep coming and `setImmediate` waits, so what has waited more
 *   than {@link MAX_FLUSH_WAIT_MS} goes out before a later entry joins it.
 *
 * Its callbacks are bound once: nothing is allocated per entry or per flush but the list of
 * targets it walks.
 */
export class FlushSchedule {
  private readonly dirty = new Set<Flushable>();
  /** Something is marked and waits for a flush. */
  private scheduled = false;
  /** When it began to wait (ms), to tell a starved flush. */
  private scheduledAt = 0;
  /**
   * The end-of-turn flush is queued. It stays queued when a flush comes earlier (a starved one, a
   * fed batch): what is marked after that goes out with it, and no second one is queued.
   */
  private turnEndQueued = false;
  /** The fed batch's flush is queued (a microtask). */
  private fedFlushQueued = false;
  private readonly flushAtTurnEnd = (): void => {
    this.turnEndQueued = false;
    this.flushMarked();
  };
  private readonly flushFedBatch = (): void => {
    this.fedFlushQueued = false;
    if (this.scheduled) this.flushMarked();
  };

  /** `target` has entries waiting: it is flushed with the next flush. */
  markDirty(target: Flushable): void {
    this.dirty.add(target);
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduledAt = Date.now();
    if (!this.turnEndQueued) {
      this.turnEndQueued = true;
      setImmediate(this.flushAtTurnEnd);
    }
  }

  /** `target` needs no flush any more (it ended, or its group was dropped). */
  forget(target: Flushable): void {
    this.dirty.delete(target);
  }

  /** Flushes now when what is marked has waited past {@link MAX_FLUSH_WAIT_MS} (the turn's end is starved). */
  flushIfStarved(): void {
    if (this.scheduled && Date.now() - this.scheduledAt > MAX_FLUSH_WAIT_MS) this.flushMarked();
  }

  /**
   * The broker's feed brought a batch whole: it goes out once the callback that read it returns
   * (one flush for every batch of that read), not at the end of the turn. Under load the turn's
   * end is a whole poll phase away, and the batch already waited a round trip to the broker.
   */
  batchFed(): void {
    if (this.fedFlushQueued) return;
    this.fedFlushQueued = true;
    queueMicrotask(this.flushFedBatch);
  }

  private flushMarked(): void {
    this.scheduled = false;
    // A flush may mark targets again (more than a batch waiting): those wait for the next one.
    const targets = [...this.dirty];
    this.dirty.clear();
    for (const target of targets) target.flush();
  }
}
