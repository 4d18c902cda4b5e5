/** Something a {@link DeadlineQueue} can hold: the queue keeps its bookkeeping on the item itself. */
export interface Timed {
  /** When it is due (ms, the queue's clock); set by the queue. */
  deadline: number;
  /** Its place in the queue's heap, or -1 when not queued; set by the queue. */
  slot: number;
}

/**
 * Deadlines of any duration served by one timer: a binary min-heap ordered by deadline, each item
 * holding its own slot so that removal needs no search and no map. Adding and removing cost
 * O(log n); the timer is re-armed only when the earliest deadline changes. One queue serves the
 * long-poll hold, a stream's maximum age and a client-chosen hold (Bayeux `advice.timeout`) alike,
 * so distinct durations never multiply timers.
 */
export class DeadlineQueue<T extends Timed> {
  private readonly heap: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(
    private readonly onDue: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Queues `item` to fall due `ms` from now (again, if it was queued). */
  add(item: T, ms: number): void {
    if (item.slot >= 0) this.delete(item);
    item.deadline = this.now() + ms;
    item.slot = this.heap.length;
    this.heap.push(item);
    this.up(item.slot);
    this.arm();
  }

  /** Takes `item` out of the queue; nothing happens when it is not queued. */
  delete(item: T): void {
    const slot = item.slot;
    if (slot < 0 || this.heap[slot] !== item) return;
    item.slot = -1;
    const last = this.heap.pop()!;
    if (last !== item) {
      this.heap[slot] = last;
      last.slot = slot;
      this.down(slot);
      this.up(slot);
    }
    if (this.heap.length === 0) this.disarm();
  }

  /** Empties the queue and stops its timer. */
  clear(): void {
    for (const item of this.heap) item.slot = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || first.deadline >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = first.deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.deadline - this.now()));
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    for (let first = this.heap[0]; first && first.deadline <= now; first = this.heap[0]) {
      this.delete(first);
      this.onDue(first);
    }
    this.arm();
  }

  private up(slot: number): void {
    const { heap } = this;
    const item = heap[slot]!;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (heap[parent]!.deadline <= item.deadline) break;
      this.place(heap[parent]!, slot);
      slot = parent;
    }
    this.place(item, slot);
  }

  private down(slot: number): void {
    const { heap } = this;
    const item = heap[slot]!;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && heap[child + 1]!.deadline < heap[child]!.deadline) child++;
      if (heap[child]!.deadline >= item.deadline) break;
      this.place(heap[child]!, slot);
      slot = child;
    }
    this.place(item, slot);
  }

  private place(item: T, slot: number): void {
    this.heap[slot] = item;
    item.slot = slot;
  }
}
