import type { CometStats } from './engine/stats';

/** The part of a prom-client metric this hook uses (`Counter` and `Gauge` both have it). */
interface PromMetricLike {
  reset(): void;
  set?(labels: Record<string, string>, value: number): void;
  set?(value: number): void;
  inc?(value: number): void;
}

/**
 * The prom-client module (`import * as client from 'prom-client'`): its `Counter` and `Gauge`
 * constructors. Typed loosely so that any prom-client major fits without a dependency on it.
 */
export interface PromClientLike {
  Counter: new (...args: never[]) => unknown;
  Gauge: new (...args: never[]) => unknown;
}

interface PromConfig {
  name: string;
  help: string;
  labelNames?: string[];
  registers?: unknown[];
  collect(this: PromMetricLike): void;
}

type PromConstructor = new (config: PromConfig) => unknown;

/** Options of {@link exposePrometheus}. */
export interface PrometheusOptions {
  /** Metric name prefix. Default `cometkit_`. */
  prefix?: string;
  /** prom-client registries to register in. Default: prom-client's global registry. */
  registers?: unknown[];
}

const TOTALS: [keyof CometStats, string][] = [
  ['published', 'Messages published through this hub.'],
  ['delivered', 'Messages handed to clients (one per message per client).'],
  ['gaps', 'Gap signals sent: cursors older than history or from another epoch.'],
  ['timeouts', 'Long-polls answered empty at their timeout.'],
  ['slowClientCutoffs', 'Slow clients cut off (they resume by cursor).'],
  ['errors', 'Requests refused with an error status.'],
  ['brokerErrors', 'Broker reads that failed.'],
];

/**
 * Exposes a hub's {@link CometStats} as prom-client metrics read at scrape time: a gauge of open
 * connections by transport, and a counter per total. prom-client is passed in, so the core does
 * not depend on it. Call once per hub.
 *
 * ```ts
 * import * as client from 'prom-client';
 * exposePrometheus(hub.stats, client);
 * ```
 */
export function exposePrometheus(stats: () => CometStats, client: PromClientLike, options: PrometheusOptions = {}): void {
  const prefix = options.prefix ?? 'cometkit_';
  const registers = options.registers;
  const Gauge = client.Gauge as unknown as PromConstructor;
  const Counter = client.Counter as unknown as PromConstructor;
  new Gauge({
    name: `${prefix}connections`,
    help: 'Requests held open now (polls waiting, streams open), by transport.',
    labelNames: ['transport'],
    ...(registers ? { registers } : {}),
    collect() {
      this.reset();
      for (const [transport, count] of Object.entries(stats().connectionsByTransport)) this.set!({ transport }, count);
    },
  });
  for (const [key, help] of TOTALS) {
    new Counter({
      name: `${prefix}${snakeCase(key)}_total`,
      help,
      ...(registers ? { registers } : {}),
      collect() {
        this.reset();
        this.inc!(stats()[key] as number);
      },
    });
  }
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
