import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@cometkit/core/testing';

/** Where Debian's redis-server puts its binary (scripts/ensure-test-deps.mjs installs it). */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** A redis-server of the test's own, on a free loopback port with a temporary directory. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The running process's id (changes on {@link restart}). */
  readonly pid: number;
  /** Stops it (SIGTERM, or SIGKILL for a crash) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory (what it persisted, if anything, is loaded). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Append-only file, fsync on every write: an acknowledged write survives a kill. Default off. */
  persistence?: boolean;
  /** More redis-server arguments (a cluster node's). */
  args?: readonly string[];
  /** The port to listen on. Default: a free one. */
  port?: number;
}

/** Resolves once a PING on `port` is answered PONG; rejects when `child` exits first. */
async function untilPong(port: number, child: ChildProcess): Promise<void> {
  let exited: Error | undefined;
  child.once('exit', (code) => (exited = new Error(`redis-server exited (${code}) before answering PING`)));
  for (let attempt = 0; attempt < 200; attempt++) {
    if (exited) throw exited;
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.setTimeout(1_000, () => socket.destroy());
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('\r\n')) socket.end();
      });
      socket.on('close', () => resolve(text.startsWith('+PONG')));
      socket.on('error', () => undefined);
    });
    if (answered) return;
    // Not listening yet: the next attempt comes after a short pause (bounded: 200 × 25 ms).
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} never answered PING`);
}

/** Starts redis-server as a child process; `dispose()` it when done. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cometkit-redis-'));
  const port = options.port ?? (await freePort());
  const persistence = options.persistence
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence, '--loglevel', 'warning', ...(options.args ?? [])];
  let child: ChildProcess;
  let exit: Promise<void>;

  async function launch(): Promise<void> {
    child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    exit = new Promise((resolve) => child.once('exit', () => resolve()));
    await untilPong(port, child);
  }

  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, signal);
    await exit;
  }

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    stop,
    restart: launch,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A redis-server for the whole test file: started before its tests, disposed of after them. */
export function useRedisServer(options?: StartRedisOptions): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis(options);
  });
  afterAll(() => server?.dispose());
  return () => server!;
}
