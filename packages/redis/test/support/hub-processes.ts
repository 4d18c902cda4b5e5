import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** One server process of {@link startHubProcess}. */
export interface HubProcess {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `${origin}/comet` */
  mount: string;
  pid: number;
  /** Stops it by PID (SIGTERM, SIGKILL after 3 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `hub-process.mjs` (a hub on the Redis at `redisUrl`, log `prefix`) in a child process. */
export function startHubProcess(
  kind: 'express' | 'withComet',
  redisUrl: string,
  prefix: string,
  timeoutMs = 15_000,
  /** More of hub-process.mjs's settings (`CLUSTER`, `PARTITIONS`). */
  env: Record<string, string> = {},
): Promise<HubProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'hub-process.mjs')], {
    env: { ...process.env, KIND: kind, REDIS_URL: redisUrl, PREFIX: prefix, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, 'SIGTERM');
    const force = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 3_000).unref();
    await exited;
    clearTimeout(force);
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`hub process did not start:\n${output}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening (\d+)/.exec(output)?.[1];
      if (!port) return;
      clearTimeout(timer);
      const origin = `http://127.0.0.1:${port}`;
      resolve({ origin, mount: `${origin}/comet`, pid: child.pid!, stop });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`hub process exited with ${child.exitCode}:\n${output}`));
    });
  });
}
