/**
 * Delivery accounting for one phase of a scenario. Every message carries `seq` (1…expect) and `t`
 * (publish time on the shared clock). Per subscriber: each seq must arrive once, in order, and
 * all of them must arrive. Latency = arrival − t, kept for every delivery.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** One subscriber's view of the phase. */
export class SubState {
  readonly seen: Uint8Array;
  max = 0;
  got = 0;
  constructor(expect: number) {
    this.seen = new Uint8Array(expect + 1);
  }
}

/** Delivery counts, as every scenario reports them. */
export interface Integrity {
  expected: number;
  delivered: number;
  missed: number;
  duplicated: number;
  outOfOrder: number;
  /** Messages whose seq was outside the phase (should be 0). */
  unexpected: number;
  /** Gap signals received (cometkit: history did not reach the cursor). */
  gaps: number;
  /** Connection errors (resets, refused, bad status). */
  errors: number;
  /** What the errors were (`503 unavailable`, `ECONNRESET`, …) and how many of each, when the protocol records it. */
  errorKinds?: Record<string, number>;
  /** Stream responses the server ended and the client reopened (byte budgets, SockJS limits). */
  reopened: number;
  /** Poll responses received (long-poll protocols): deliveries / responses = messages per response. */
  responses: number;
}

/** What a phase reports to the driver. */
export interface PhaseReport extends Integrity {
  subscribers: number;
  firstArrival: number;
  lastArrival: number;
  /** Latency percentiles, ms (only when latencies were recorded). */
  latency?: { p50: number; p99: number; max: number; mean: number };
  timedOut: boolean;
  /** The load client's own CPU during the phase, ms, and its event-loop delay p99, ms. */
  clientCpuMs: number;
  clientLoopDelayP99: number;
}

const MESSAGE = /\\?"seq\\?":(\d+),\\?"t\\?":([\d.]+)/g;

export class Tracker {
  readonly subs: SubState[] = [];
  delivered = 0;
  duplicated = 0;
  outOfOrder = 0;
  unexpected = 0;
  gaps = 0;
  errors = 0;
  readonly errorKinds: Record<string, number> = {};
  reopened = 0;
  responses = 0;
  firstArrival = 0;
  lastArrival = 0;
  private readonly latencies: Float64Array | undefined;
  private waiter: (() => void) | undefined;
  private readonly cpu0 = process.cpuUsage();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor(
    readonly expect: number,
    readonly subscribers: number,
    recordLatency: boolean,
  ) {
    this.latencies = recordLatency ? new Float64Array(expect * subscribers) : undefined;
    this.loopDelay.enable();
  }

  /** Counts one error, by what it was. */
  error(kind: string): void {
    this.errors++;
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
  }

  add(): SubState {
    const sub = new SubState(this.expect);
    this.subs.push(sub);
    return sub;
  }

  get complete(): boolean {
    return this.delivered >= this.expect * this.subscribers;
  }

  /** One message arrived for `sub`. */
  record(sub: SubState, seq: number, t: number, arrival: number): void {
    if (!(seq >= 1 && seq <= this.expect)) {
      this.unexpected++;
      return;
    }
    if (sub.seen[seq]) {
      this.duplicated++;
      return;
    }
    sub.seen[seq] = 1;
    sub.got++;
    if (seq < sub.max) this.outOfOrder++;
    else sub.max = seq;
    if (this.latencies) this.latencies[this.delivered] = arrival - t;
    if (this.delivered === 0) this.firstArrival = arrival;
    this.delivered++;
    this.lastArrival = arrival;
    if (this.waiter && this.complete) this.waiter();
  }

  /** Records every `{"seq":N,"t":T}` in a piece of wire text (escaped or not); returns how many. */
  scan(sub: SubState, text: string, arrival: number): number {
    let found = 0;
    MESSAGE.lastIndex = 0;
    for (let match = MESSAGE.exec(text); match; match = MESSAGE.exec(text)) {
      this.record(sub, Number(match[1]), Number(match[2]), arrival);
      found++;
    }
    return found;
  }

  /** Resolves when every subscriber has every message, or after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<PhaseReport> {
    let timedOut = false;
    if (!this.complete) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.report(timedOut);
  }

  report(timedOut: boolean): PhaseReport {
    const cpu = process.cpuUsage(this.cpu0);
    this.loopDelay.disable();
    let missed = 0;
    for (const sub of this.subs) missed += this.expect - sub.got;
    missed += (this.subscribers - this.subs.length) * this.expect;
    return {
      subscribers: this.subscribers,
      expected: this.expect * this.subscribers,
      delivered: this.delivered,
      missed,
      duplicated: this.duplicated,
      outOfOrder: this.outOfOrder,
      unexpected: this.unexpected,
      gaps: this.gaps,
      errors: this.errors,
      ...(this.errors > 0 ? { errorKinds: { ...this.errorKinds } } : {}),
      reopened: this.reopened,
      responses: this.responses,
      firstArrival: this.firstArrival,
      lastArrival: this.lastArrival,
      latency: this.latencies ? percentiles(this.latencies.subarray(0, this.delivered)) : undefined,
      timedOut,
      clientCpuMs: (cpu.user + cpu.system) / 1_000,
      clientLoopDelayP99: this.loopDelay.percentile(99) / 1e6,
    };
  }
}

function percentiles(values: Float64Array): PhaseReport['latency'] {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]!, mean: sum / sorted.length };
}

