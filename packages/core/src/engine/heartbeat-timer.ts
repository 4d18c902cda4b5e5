/** Something the heartbeat timer visits: it writes a heartbeat when it has been idle long enough. */
export interface HeartbeatTarget {
  heartbeat(now: number): void;
}

/** The set of {@link HeartbeatTarget}s; the timer runs only while it is not empty. */
export interface HeartbeatSet {
  add(target: HeartbeatTarget): void;
  delete(target: HeartbeatTarget): void;
  /** How idle (ms since its last write) a target must be for the next visit to send a heartbeat. */
  readonly idleMs: number;
}

/**
 * One timer for every open stream of one heartbeat interval (the engine keeps one per interval in
 * use, never one per stream). It ticks every quarter interval and a stream idle for
 * three quarters of one sends a heartbeat, so no stream is ever silent for longer than the
 * interval (PROTOCOL.md promises "at least every heartbeatMs"): idle ≤ ¾ + ¼ of it.
 */
export class HeartbeatTimer implements HeartbeatSet {
  private readonly targets = new Set<HeartbeatTarget>();
  private timer: NodeJS.Timeout | undefined;
  readonly idleMs: number;

  constructor(private readonly intervalMs: number) {
    this.idleMs = (intervalMs * 3) / 4;
  }

  add(target: HeartbeatTarget): void {
    this.targets.add(target);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs / 4);
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
