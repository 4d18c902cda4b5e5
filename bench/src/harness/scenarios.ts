/**
 * The four scenarios. Each runs against a fresh server process and a fresh load-client process,
 * both killed by PID when it ends, and each counts missed, duplicated and out-of-order deliveries.
 */
import type { PublishRun } from './publish-run';
import { readFileSync } from 'node:fs';
import { cpuMicros, type MemoryReport } from './ipc';
import { Child } from './proc';
import { measureRedisWork, redisCpuMicros, startRedis, type RedisProcess, type RedisWork } from './redis-server';
import type { TargetSpec } from './targets';
import type { Integrity, PhaseReport } from './client/tracker';

export type { Integrity };

/** Sizes of a run (the full run, or the tiny one of the smoke test). */
export interface Sizes {
  s1: { subscribers: number };
  s2: { subscribers: number; rate: number; seconds: number };
  s3: { subscribers: number; messages: number; chunk: number };
  s4: { cycles: number; warmup: number; concurrency: number; holdMs: number };
}

export const FULL: Sizes = {
  s1: { subscribers: 5_000 },
  s2: { subscribers: 2_000, rate: 20, seconds: 10 },
  s3: { subscribers: 500, messages: 2_000, chunk: 50 },
  s4: { cycles: 10_000, warmup: 500, concurrency: 100, holdMs: 20 },
};

export const TINY: Sizes = {
  s1: { subscribers: 20 },
  s2: { subscribers: 20, rate: 50, seconds: 0.4 },
  s3: { subscribers: 20, messages: 20, chunk: 5 },
  s4: { cycles: 40, warmup: 10, concurrency: 10, holdMs: 20 },
};

/** What else ran on the machine meanwhile. */
export interface Environment {
  /** CPU used by processes other than this run's (server, load client, driver), in cores (0–2). */
  otherCpu: number;
}

export interface S1Result extends Integrity, Environment {
  rssPerConn: number;
  heapPerConn: number;
  /** Server CPU to accept and register the subscribers, µs per connection. */
  connectCpuPerConn: number;
  rssHeld: number;
}
export interface S2Result extends Integrity, Environment {
  /** The load client's CPU during the run (ms) and its event-loop delay p99 (ms). */
  clientCpuMs: number;
  clientLoopDelayP99: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Server CPU per delivery during the run, µs. */
  cpuPerDelivery: number;
  /** Redis targets: what Redis did per publish during the run. */
  redis?: RedisWork;
}
export interface S3Result extends Integrity, Environment {
  /** The load client's CPU during the run, ms. */
  clientCpuMs: number;
  deliveriesPerSec: number;
  drainMs: number;
  cpuPerDelivery: number;
  /** Redis targets: what Redis did per publish during the run. */
  redis?: RedisWork;
}
export interface S4Result extends Integrity, Environment {
  heapDelta: number;
  rssDelta: number;
  tcpDelta: number;
  heldAfter: number;
  leak: boolean;
  churnErrors: number;
  churnMs: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

function integrity(report: PhaseReport): Integrity {
  const { expected, delivered, missed, duplicated, outOfOrder, unexpected, gaps, errors, errorKinds, reopened, responses } = report;
  return { expected, delivered, missed, duplicated, outOfOrder, unexpected, gaps, errors, ...(errorKinds ? { errorKinds } : {}), reopened, responses };
}

/** Busy CPU time of the whole machine so far, µs (from /proc/stat, in USER_HZ = 100 ticks/s). */
function machineBusyMicros(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 10_000;
}

/**
 * Waits (at most `maxWaitMs`) until other processes use less than `threshold` cores, sampling
 * every 500 ms; returns how long it waited. Call it when no child of this run is running.
 */
export async function waitForQuiet(threshold: number, maxWaitMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const busy0 = machineBusyMicros();
    const own0 = cpuMicros();
    await sleep(500);
    const other = (machineBusyMicros() - busy0 - (cpuMicros() - own0)) / 500_000;
    const waited = performance.now() - started;
    if (other < threshold || waited >= maxWaitMs) return waited;
  }
}

/**
 * Who publishes: `http` (default) an HTTP publisher process posting to the server's publish route
 * over one pipelined keep-alive connection, each message stamped when its request is written, as
 * an app's clients make it publish; `ipc` the server itself, in a loop told over IPC, stamping at
 * the library's publish call (the library's delivery cost alone, without the HTTP publish).
 */
export type PublisherMode = 'http' | 'ipc';
let publisherMode: PublisherMode = 'http';

/** Chooses the publisher of every following scenario. */
export function usePublisher(mode: PublisherMode): void {
  publisherMode = mode;
}

/** Runs a publish run, whoever the publisher is; `started` is the first message's time stamp. */
export interface Publisher {
  publish(run: PublishRun): Promise<{ started: number; finished: number }>;
}

/** CPU of this run's own processes so far, µs (redis-server's too, for the Redis targets). */
async function ownCpuMicros(children: readonly Child[], redis?: RedisProcess): Promise<number> {
  let total = cpuMicros();
  for (const child of children) total += await child.rpc<number>('cpu');
  if (redis) total += await redisCpuMicros(redis.port);
  return total;
}

/**
 * A target's server processes, as one: one process for most targets; for a Redis target several
 * on one log in `redis`, for a control (`copies`) several with a log each. `held` and `cpu` are
 * summed over them, every other request goes to the first; the publisher posts to the first of a
 * Redis target and to every copy of a control (`publishPorts`).
 */
export interface Servers {
  /** The first process's port. */
  port: number;
  /** Every process's port; subscribers are spread over them in turn. */
  ports: number[];
  /** Where the publisher posts: the first process, or every one of a target's `copies`. */
  publishPorts: number[];
  /** A cursor per port, where its subscribers start (each copy has a log, and an epoch, of its own). */
  cursors(): Promise<string[]>;
  children: Child[];
  redis?: RedisProcess;
  rpc<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
}

async function startServers(target: TargetSpec): Promise<Servers> {
  const redis = target.redis && (await startRedis());
  const count = target.redis?.processes ?? target.copies ?? 1;
  const children: Child[] = [];
  try {
    // A fresh log per scenario: the redis-server is too.
    for (let i = 0; i < count; i++) {
      const args = redis ? [...(target.args ?? []), redis.url, 'bench'] : target.args;
      children.push(await Child.start(count > 1 ? `server ${target.name} #${i + 1}` : `server ${target.name}`, target.server, args));
    }
  } catch (error) {
    await Promise.all(children.map((child) => child.stop()));
    await redis?.stop();
    throw error;
  }
  const summed = new Set(['held', 'cpu']);
  const ports = children.map((child) => child.port);
  return {
    port: children[0]!.port,
    ports,
    publishPorts: redis ? [ports[0]!] : ports,
    children,
    redis,
    async cursors(): Promise<string[]> {
      if (!redis) return Promise.all(children.map((child) => child.rpc<string>('cursor')));
      // One log: the first process's cursor is every process's.
      const cursor = await children[0]!.rpc<string>('cursor');
      return ports.map(() => cursor);
    },
    async rpc<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T> {
      if (!summed.has(cmd)) return children[0]!.rpc<T>(cmd, args, timeoutMs);
      const values = await Promise.all(children.map((child) => child.rpc<number>(cmd, args, timeoutMs)));
      return values.reduce((a, b) => a + b, 0) as T;
    },
  };
}

async function stopServers(servers: Servers): Promise<void> {
  await Promise.all(servers.children.map((child) => child.stop()));
  await servers.redis?.stop();
}

/**
 * Runs `body` with a fresh server for `target` and a fresh load client; both are always stopped.
 * Also measures how much CPU other processes on the machine took meanwhile.
 */
export async function withProcesses<T>(
  target: TargetSpec,
  body: (server: Servers, client: Child, publisher: Publisher) => Promise<Omit<T, 'otherCpu'>>,
): Promise<T> {
  const server = await startServers(target);
  let client: Child | undefined;
  let http: Child | undefined;
  try {
    client = await Child.start('load client', 'client/main.ts');
    if (publisherMode === 'http') http = await Child.start('publisher', 'client/publisher.ts');
    const publisher: Publisher = http
      ? { publish: (run) => http!.rpc('publish', { ...run, ports: server.publishPorts }, 300_000) }
      : {
          async publish(run) {
            const runs = await Promise.all(server.publishPorts.map((_, i) => server.children[i]!.rpc<{ started: number; finished: number }>('publish', run, 300_000)));
            return { started: Math.min(...runs.map((r) => r.started)), finished: Math.max(...runs.map((r) => r.finished)) };
          },
        };
    const children = [...server.children, client, ...(http ? [http] : [])];
    const wall0 = performance.now();
    const [busy0, own0] = [machineBusyMicros(), await ownCpuMicros(children, server.redis)];
    const result = await body(server, client, publisher);
    const [busy1, own1] = [machineBusyMicros(), await ownCpuMicros(children, server.redis)];
    const otherCpu = Math.max(0, busy1 - busy0 - (own1 - own0)) / ((performance.now() - wall0) * 1_000);
    return { ...result, otherCpu } as T;
  } finally {
    await http?.stop();
    await client?.stop();
    await stopServers(server);
  }
}

export const held = (server: Servers): Promise<number> => server.rpc<number>('held');
export const cpu = (server: Servers): Promise<number> => server.rpc<number>('cpu');

/** Opens `n` subscribers expecting `expect` messages each, and waits until the server holds them all. */
export async function subscribe(server: Servers, client: Child, target: TargetSpec, n: number, expect: number, latency: boolean): Promise<void> {
  // Sessions left over from churn (Socket.IO, Faye keep them until a timeout) still count as held.
  const already = await held(server);
  const cursors = await server.cursors();
  await client.rpc('subscribe', { protocol: target.protocol, ports: server.ports, n, cursors, expect, latency });
  const ok = await until(async () => (await held(server)) >= already + n, 30_000 + n * 5);
  if (!ok) throw new Error(`${target.name}: only ${await held(server)} of ${n} subscribers held after the timeout`);
}

/** Closes the client's subscribers and waits (bounded) until the server holds none. */
export async function unsubscribeAll(server: Servers, client: Child, timeoutMs = 3_000): Promise<void> {
  await client.rpc('close');
  await until(async () => (await held(server)) === 0, timeoutMs);
}


/** S1: N idle subscribers; memory per connection after GC, against a warmed-up baseline. */
export function s1(target: TargetSpec, sizes: Sizes): Promise<S1Result> {
  const n = sizes.s1.subscribers;
  return withProcesses<S1Result>(target, async (server, client, publisher) => {
    // Warm-up: every code path once (connect, deliver, disconnect), so lazily loaded code and JIT
    // output are in the baseline, not in the per-connection figure.
    const warm = Math.min(100, n);
    await subscribe(server, client, target, warm, 1, false);
    await publisher.publish({ from: 1, count: 1, intervalMs: 0 });
    await client.rpc('wait', { timeoutMs: 10_000 });
    await unsubscribeAll(server, client);
    const before = await server.rpc<MemoryReport>('memory');
    const cpu0 = await cpu(server);
    await subscribe(server, client, target, n, 1, false);
    const cpu1 = await cpu(server);
    await sleep(300);
    const after = await server.rpc<MemoryReport>('memory');
    await publisher.publish({ from: 1, count: 1, intervalMs: 0 });
    const report = await client.rpc<PhaseReport>('wait', { timeoutMs: 30_000 });
    return {
      ...integrity(report),
      rssPerConn: (after.rss - before.rss) / n,
      heapPerConn: (after.heapUsed + after.external - before.heapUsed - before.external) / n,
      connectCpuPerConn: (cpu1 - cpu0) / n,
      rssHeld: after.rss,
    };
  });
}

/** S2: N subscribers, `rate` messages/s for `seconds`: publish-to-arrival latency. */
export function s2(target: TargetSpec, sizes: Sizes): Promise<S2Result> {
  const { subscribers: n, rate, seconds } = sizes.s2;
  const count = Math.round(rate * seconds);
  return withProcesses<S2Result>(target, async (server, client, publisher) => {
    await subscribe(server, client, target, n, count, true);
    const cpu0 = await cpu(server);
    const work = server.redis && (await measureRedisWork(server.redis.port));
    await publisher.publish({ from: 1, count, intervalMs: 1_000 / rate });
    const report = await client.rpc<PhaseReport>('wait', { timeoutMs: 30_000 });
    const cpu1 = await cpu(server);
    const redis = work ? { redis: await work(count) } : {};
    const latency = report.latency ?? { p50: NaN, p99: NaN, max: NaN, mean: NaN };
    return {
      ...integrity(report),
      ...latency,
      cpuPerDelivery: (cpu1 - cpu0) / Math.max(1, report.delivered),
      clientCpuMs: report.clientCpuMs,
      clientLoopDelayP99: report.clientLoopDelayP99,
      ...redis,
    };
  });
}

/** S3: N subscribers, M messages published as fast as possible: deliveries/s and time to drain. */
export function s3(target: TargetSpec, sizes: Sizes): Promise<S3Result> {
  const { subscribers: n, messages, chunk } = sizes.s3;
  return withProcesses<S3Result>(target, async (server, client, publisher) => {
    await subscribe(server, client, target, n, messages, false);
    const cpu0 = await cpu(server);
    const work = server.redis && (await measureRedisWork(server.redis.port));
    const run = await publisher.publish({ from: 1, count: messages, intervalMs: 0, chunk });
    const report = await client.rpc<PhaseReport>('wait', { timeoutMs: 120_000 });
    const cpu1 = await cpu(server);
    const redis = work ? { redis: await work(messages) } : {};
    const drainMs = report.lastArrival - run.started;
    return {
      ...integrity(report),
      drainMs,
      deliveriesPerSec: report.delivered / (drainMs / 1_000),
      clientCpuMs: report.clientCpuMs,
      cpuPerDelivery: (cpu1 - cpu0) / Math.max(1, report.delivered),
      ...redis,
    };
  });
}

/**
 * S4: connect/abort cycles, then heap, RSS and open sockets against the level after a warm-up.
 * A leak: sockets or held subscribers not back to the start, or the heap more than 1 MiB
 * (about 100 bytes a cycle) above it. Then 20 subscribers must still get 10 messages each.
 */
export function s4(target: TargetSpec, sizes: Sizes): Promise<S4Result> {
  const { cycles, warmup, concurrency, holdMs } = sizes.s4;
  const churn = (server: Servers, client: Child, count: number): Promise<{ errors: number; ms: number }> =>
    client.rpc('churn', { protocol: target.protocol, port: server.port, cycles: count, concurrency, holdMs }, 300_000);
  return withProcesses<S4Result>(target, async (server, client, publisher) => {
    await churn(server, client, warmup);
    await until(async () => (await held(server)) === 0, 10_000);
    const before = await server.rpc<MemoryReport>('memory');
    const run = await churn(server, client, cycles);
    await until(async () => (await held(server)) === 0, 5_000);
    await until(async () => (await server.rpc<MemoryReport>('memory')).tcpHandles <= before.tcpHandles, 3_000);
    const after = await server.rpc<MemoryReport>('memory');
    const heldAfter = await held(server);
    const heapDelta = after.heapUsed + after.external - before.heapUsed - before.external;
    const tcpDelta = after.tcpHandles - before.tcpHandles;
    await subscribe(server, client, target, 20, 10, false);
    await publisher.publish({ from: 1, count: 10, intervalMs: 0 });
    const report = await client.rpc<PhaseReport>('wait', { timeoutMs: 30_000 });
    return {
      ...integrity(report),
      heapDelta,
      rssDelta: after.rss - before.rss,
      tcpDelta,
      heldAfter,
      leak: tcpDelta > 0 || heldAfter > 0 || heapDelta > 1024 * 1024,
      churnErrors: run.errors,
      churnMs: run.ms,
    };
  });
}
