/**
 * Scale on paper: how memory and CPU per held connection grow with N. For each target and each
 * N, a fresh server and load client: warm up, hold N idle subscribers, then measure
 *   - memory per connection (RSS and heap after GC, against the warmed-up baseline),
 *   - server CPU to accept and register them (µs per connection),
 *   - server CPU while they sit idle for 5 s (µs per connection per second: timers, heartbeats),
 *   - one fan-out: 5 messages, 200 ms apart, to all N (server CPU µs per delivery, latency).
 *
 *   pnpm --filter @cometkit/bench bench:scale [--sizes 1000,5000,10000,19000] [--targets a,b] [--json FILE]
 *
 * 19,000 rather than 20,000: this machine's hard limit on open files is 20,000 per process and
 * cannot be raised from inside it (`ulimit -Hn`); the server needs a few descriptors of its own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { PhaseReport } from './client/tracker';
import type { MemoryReport } from './ipc';
import { cpu, sleep, subscribe, unsubscribeAll, withProcesses, type Environment } from './scenarios';
import { lineChart } from './charts';
import { allTargets, type TargetSpec } from './targets';

const { values: options } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000,10000,19000' },
    targets: { type: 'string', default: 'node:http SSE,node:http long-poll,cometkit express sse,cometkit express poll,cometkit express+withComet sse,cometkit express+withComet poll' },
    json: { type: 'string' },
  },
});

interface ScalePoint extends Environment {
  target: string;
  n: number;
  rssPerConn: number;
  heapPerConn: number;
  connectCpuPerConn: number;
  idleCpuPerConnPerSec: number;
  fanoutCpuPerDelivery: number;
  p50: number;
  p99: number;
  missed: number;
  duplicated: number;
}

const FANOUT = 5;

function point(target: TargetSpec, n: number): Promise<ScalePoint> {
  return withProcesses<ScalePoint>(target, async (server, client, publisher) => {
    await subscribe(server, client, target, 100, 1, false);
    await publisher.publish({ from: 1, count: 1, intervalMs: 0 });
    await client.rpc('wait', { timeoutMs: 10_000 });
    await unsubscribeAll(server, client);
    const before = await server.rpc<MemoryReport>('memory');
    const cpu0 = await cpu(server);
    await subscribe(server, client, target, n, FANOUT, true);
    const cpu1 = await cpu(server);
    await sleep(5_000);
    const cpu2 = await cpu(server);
    const after = await server.rpc<MemoryReport>('memory');
    const cpu3 = await cpu(server);
    await publisher.publish({ from: 1, count: FANOUT, intervalMs: 200 });
    const report = await client.rpc<PhaseReport>('wait', { timeoutMs: 60_000 });
    const cpu4 = await cpu(server);
    return {
      target: target.name,
      n,
      rssPerConn: (after.rss - before.rss) / n,
      heapPerConn: (after.heapUsed + after.external - before.heapUsed - before.external) / n,
      connectCpuPerConn: (cpu1 - cpu0) / n,
      idleCpuPerConnPerSec: (cpu2 - cpu1) / n / 5,
      fanoutCpuPerDelivery: (cpu4 - cpu3) / Math.max(1, report.delivered),
      p50: report.latency?.p50 ?? NaN,
      p99: report.latency?.p99 ?? NaN,
      missed: report.missed,
      duplicated: report.duplicated,
    };
  });
}

async function main(): Promise<void> {
  const sizes = options.sizes.split(',').map(Number);
  const words = options.targets.split(',').map((w) => w.trim().toLowerCase());
  const targets = allTargets().filter((t) => words.includes(t.name.toLowerCase()));
  const points: ScalePoint[] = [];
  for (const target of targets) {
    for (const n of sizes) {
      try {
        const p = await point(target, n);
        points.push(p);
        process.stderr.write(`${target.name} N=${n}: ${(p.rssPerConn / 1024).toFixed(2)} KB RSS/conn, other processes ${p.otherCpu.toFixed(2)} cores\n`);
      } catch (error) {
        process.stderr.write(`${target.name} N=${n}: failed: ${(error as Error).message.split('\n')[0]}\n`);
      }
    }
  }
  const rows = [
    '| target | N held | RSS/conn KB | heap/conn KB | connect CPU µs/conn | idle CPU µs/conn/s | fan-out CPU µs/delivery | fan-out p50 ms | fan-out p99 ms | missed / dup | other processes, cores |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    ...points.map(
      (p) =>
        `| ${p.target} | ${p.n} | ${(p.rssPerConn / 1024).toFixed(2)} | ${(p.heapPerConn / 1024).toFixed(2)} | ${p.connectCpuPerConn.toFixed(0)} | ` +
        `${p.idleCpuPerConnPerSec.toFixed(2)} | ${p.fanoutCpuPerDelivery.toFixed(2)} | ${p.p50.toFixed(1)} | ${p.p99.toFixed(1)} | ` +
        `${p.missed} / ${p.duplicated} | ${p.otherCpu.toFixed(2)} |`,
    ),
  ];
  process.stdout.write(`${rows.join('\n')}\n`);
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, JSON.stringify(points, null, 2));
  }
  // The picture RESULTS.md shows: memory per connection as N grows, a line per target.
  mkdirSync('charts', { recursive: true });
  const lines = targets.map((t) => ({
    label: t.name,
    kind: t.kind,
    points: points.filter((p) => p.target === t.name).map((p) => ({ x: p.n, y: p.rssPerConn / 1024 })),
  }));
  writeFileSync('charts/scale-memory.svg', lineChart('Memory per held connection (RSS after GC) against N', 'connections held', 'KB per connection', lines));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:scale: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
