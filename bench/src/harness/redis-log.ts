/**
 * The Redis log throughput: how many publishes per second one redis-server takes into the log
 * (issue 12's target: 50,000/s), from several publisher processes (each its own broker, its own
 * connection, many publishes in flight), with Redis' commands and CPU per publish.
 */
import { now } from './ipc';
import { Child } from './proc';
import { measureRedisWork, startRedis, type RedisWork } from './redis-server';

export interface LogThroughputOptions {
  processes: number;
  inFlight: number;
  durationMs: number;
}

export interface LogThroughput extends LogThroughputOptions, RedisWork {
  published: number;
  errors: number;
  perSecond: number;
}

export const LOG_FULL: LogThroughputOptions = { processes: 4, inFlight: 128, durationMs: 5_000 };
export const LOG_TINY: LogThroughputOptions = { processes: 2, inFlight: 8, durationMs: 300 };

interface Ran {
  published: number;
  errors: number;
  started: number;
  finished: number;
}

export async function logThroughput(options: LogThroughputOptions): Promise<LogThroughput> {
  const redis = await startRedis();
  const publishers: Child[] = [];
  try {
    for (let i = 0; i < options.processes; i++) publishers.push(await Child.start(`log publisher #${i + 1}`, 'client/log-publisher.ts'));
    const work = await measureRedisWork(redis.port);
    const startAt = now() + 1_000;
    const runs = await Promise.all(
      publishers.map((p) => p.rpc<Ran>('run', { url: redis.url, prefix: 'benchlog', inFlight: options.inFlight, durationMs: options.durationMs, startAt }, 120_000)),
    );
    const published = runs.reduce((n, r) => n + r.published, 0);
    // The warm-up publish of each process is in Redis' counts too.
    const redisWork = await work(published + publishers.length);
    const seconds = (Math.max(...runs.map((r) => r.finished)) - Math.min(...runs.map((r) => r.started))) / 1_000;
    return { ...options, ...redisWork, published, errors: runs.reduce((n, r) => n + r.errors, 0), perSecond: published / seconds };
  } finally {
    await Promise.all(publishers.map((p) => p.stop()));
    await redis.stop();
  }
}

/** The figure as a Markdown table. */
export function logTable(result: LogThroughput): string {
  return [
    '| publisher processes × in flight | seconds | publishes accepted | errors | publishes/s (≥ 50,000) | commands sent / publish | commands run / publish | Redis CPU µs / publish | what one Redis core could take, publishes/s (10⁶ / CPU µs) | commands, per publish |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    `| ${result.processes} × ${result.inFlight} | ${(result.durationMs / 1_000).toFixed(1)} | ${result.published} | ${result.errors} | ` +
      `${result.perSecond.toFixed(0)} ${result.perSecond >= 50_000 ? '✓' : '✗'} | ${result.clientCommandsPerPublish.toFixed(2)} | ` +
      `${result.commandsPerPublish.toFixed(2)} | ${result.cpuPerPublish.toFixed(1)} | ${(1e6 / result.cpuPerPublish).toFixed(0)} | ${result.breakdown} |`,
  ].join('\n');
}
