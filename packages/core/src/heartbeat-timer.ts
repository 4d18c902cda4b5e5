import type { HeartbeatSet, HeartbeatTarget } from './hub-internals';

/**
 * One timer for every open stream of a hub: every half interval it lets each stream decide whether
 * it has been idle long enough to need a heartbeat. Runs only while some stream is open.
 */
export class HeartbeatTimer implements HeartbeatSet {
  private readonly targets = new Set<HeartbeatTarget>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  add(target: HeartbeatTarget): void {
    this.targets.add(target);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs / 2);
      this.timer.unref();
    }
  }

  delete(target: HeartbeatTarget): void {
    this.targets.delete(target);
    if (this.targets.size === 0) this.clear();
  }

  clear(): void {
    this.targets.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = Date.now();
    for (const target of this.targets) target.heartbeat(now);
  }
}
