/**
 * The redis-server of the Redis targets: started by the driver on a free loopback port with a
 * temporary directory (no persistence), stopped by PID. Also the two things the bench asks it:
 * `INFO commandstats` (commands per publish) and `INFO cpu` (Redis' own CPU per publish), over a
 * raw RESP connection, so the driver needs no Redis client library.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@cometkit/core/testing';
import { spawnTracked, stopByPid } from './proc';

/** Debian's redis-server (`scripts/ensure-redis.mjs` at the repository root installs it). */
export const REDIS_SERVER = process.env.BENCH_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RedisProcess {
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Sends one command (inline form) and resolves with the reply's text (bulk or simple string). */
export function redisCommand(port: number, command: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`redis ${command}: no answer in ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.startsWith('-')) return fail(new Error(`redis ${command}: ${data.trim()}`));
      if (data.startsWith('+')) {
        if (!data.includes('\r\n')) return;
        socket.end();
        return resolve(data.slice(1, data.indexOf('\r\n')));
      }
      const head = data.indexOf('\r\n');
      if (head < 0) return;
      const length = Number(data.slice(1, head));
      if (data.length < head + 2 + length) return;
      socket.end();
      resolve(data.slice(head + 2, head + 2 + length));
    });
  });
}

/** Starts redis-server and resolves once it answers PING. */
export async function startRedis(): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cometkit-bench-redis-'));
  const port = await freePort();
  const child = spawnTracked(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning']);
  const stop = async (): Promise<void> => {
    await stopByPid(child);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}) before answering PING`);
    if ((await redisCommand(port, 'PING', 1_000).catch(() => '')) === 'PONG') break;
    if (attempt >= 200) {
      await stop();
      throw new Error(`redis-server on port ${port} never answered PING`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { port, url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop };
}

/** Calls per command so far (`INFO commandstats`), lower-case names; the INFO calls themselves excluded. */
export async function commandCalls(port: number): Promise<Record<string, number>> {
  const text = await redisCommand(port, 'INFO commandstats');
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') calls[match[1]!] = Number(match[2]);
  }
  return calls;
}

/** Redis' CPU time so far (user + system, main thread and others), µs. */
export async function redisCpuMicros(port: number): Promise<number> {
  const text = await redisCommand(port, 'INFO cpu');
  const value = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
  return (value('used_cpu_sys') + value('used_cpu_user')) * 1e6;
}

/** What Redis did over a stretch of a run, per publish. */
export interface RedisWork {
  /** Commands clients sent (EVALSHA, SUBSCRIBE, …) per publish. */
  clientCommandsPerPublish: number;
  /** Every command Redis ran, the ones inside scripts included, per publish. */
  commandsPerPublish: number;
  /** Per command, per publish, e.g. `evalsha 1.00, incr 1.00, …`. */
  breakdown: string;
  /** Redis' CPU per publish, µs. */
  cpuPerPublish: number;
}

/** Commands a script runs inside Redis (counted in commandstats, but not sent by a client). */
const IN_SCRIPTS = new Set(['get', 'set', 'del', 'incr', 'time', 'xadd', 'xrange', 'xtrim', 'publish']);

/** Takes a snapshot now; the returned function measures the work since, divided by `publishes`. */
export async function measureRedisWork(port: number): Promise<(publishes: number) => Promise<RedisWork>> {
  const [calls0, cpu0] = [await commandCalls(port), await redisCpuMicros(port)];
  return async (publishes) => {
    const [calls1, cpu1] = [await commandCalls(port), await redisCpuMicros(port)];
    const per = Object.entries(calls1)
      .map(([name, calls]) => [name, (calls - (calls0[name] ?? 0)) / publishes] as const)
      // Connection set-up (HELLO, SCRIPT LOAD, SUBSCRIBE) is not per publish: left out below 0.005.
      .filter(([, n]) => n >= 0.005)
      .sort((a, b) => b[1] - a[1]);
    const sum = (list: readonly (readonly [string, number])[]): number => list.reduce((total, [, n]) => total + n, 0);
    return {
      clientCommandsPerPublish: sum(per.filter(([name]) => !IN_SCRIPTS.has(name))),
      commandsPerPublish: sum(per),
      breakdown: per.map(([name, n]) => `${name} ${n.toFixed(2)}`).join(', '),
      cpuPerPublish: (cpu1 - cpu0) / publishes,
    };
  };
}
