/**
 * Timeouts of one fixed duration, kept in one insertion-ordered map and served by one timer.
 * Because every item waits the same time, insertion order is deadline order: the timer only ever
 * looks at the front. Cheaper than a timer per held request, and a removal is O(1).
 */
export class TimeoutQueue<T> {
  private readonly deadlines = new Map<T, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly durationMs: number,
    private readonly onTimeout: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.deadlines.size;
  }

  add(item: T): void {
    this.deadlines.delete(item);
    this.deadlines.set(item, this.now() + this.durationMs);
    if (!this.timer) this.arm(this.durationMs);
  }

  delete(item: T): void {
    this.deadlines.delete(item);
    if (this.deadlines.size === 0) this.disarm();
  }

  clear(): void {
    this.deadlines.clear();
    this.disarm();
  }

  private arm(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire(), Math.max(0, delay));
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expire(): void {
    this.timer = undefined;
    const now = this.now();
    for (const [item, deadline] of this.deadlines) {
      if (deadline > now) {
        this.arm(deadline - now);
        return;
      }
      this.deadlines.delete(item);
      this.onTimeout(item);
    }
  }
}
