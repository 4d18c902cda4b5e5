/**
 * Child processes of a run: each target server and each load client is a Node process forked
 * with `--expose-gc` and tsx, talked to over IPC, and stopped by its PID. Every child ever started
 * is remembered, and killed by PID when the driver exits, fails or is interrupted.
 *
 * Children run at nice −10 where the OS allows it (root): other work on a shared machine then
 * takes less CPU from the processes being measured. Nothing else on the machine is touched.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { IpcReady, IpcReply } from './ipc';

/** The bench package's root: children run with it as cwd so `--import tsx` resolves. */
export const BENCH_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const running = new Set<ChildProcess>();
/** PID of every child started by this process, in order. */
export const startedPids: number[] = [];

/** Kills every child still running, by PID, at once. Safe in an `exit` handler. */
export function killAll(): void {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  running.clear();
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * Spawns a program that is not a Node child of ours (redis-server), remembered like every child:
 * killed by PID with the others if the driver exits or fails. Stop it with {@link stopByPid}.
 */
export function spawnTracked(command: string, args: readonly string[]): ChildProcess {
  const child = spawn(command, [...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  running.add(child);
  if (child.pid !== undefined) startedPids.push(child.pid);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGTERM to `child`'s PID, SIGKILL after 2 s if it is still there; resolves once it is gone. */
export async function stopByPid(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}

export class Child {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly process: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => process.once('exit', () => resolve()));
    process.on('message', (message: IpcReply) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    process.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Forks `file` (relative to src/harness/) and waits until it says it is ready. */
  static start(name: string, file: string, args: readonly string[] = []): Promise<Child> {
    const child = fork(fileURLToPath(new URL(file, import.meta.url)), [...args], {
      cwd: BENCH_ROOT,
      // BENCH_SERVER_FLAGS (e.g. `--cpu-prof`) go to target servers only, for profiling.
      execArgv: ['--expose-gc', '--import', 'tsx', ...(name.startsWith('server') ? (process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []) : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    running.add(child);
    if (child.pid !== undefined) {
      startedPids.push(child.pid);
      try {
        os.setPriority(child.pid, -10);
      } catch {
        // not allowed: run at the default priority
      }
    }
    child.once('exit', () => running.delete(child));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name}: not ready within 30 s`));
      }, 30_000);
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`${name} exited before it was ready (${code ?? signal})`)));
      child.on('message', function onReady(message: IpcReady) {
        if (!message || (message as IpcReady).ready !== true) return;
        clearTimeout(timer);
        child.off('message', onReady);
        resolve(new Child(name, child, message.port ?? 0));
      });
    });
  }

  /** Sends one request; rejects on an error reply, the child's exit, or after `timeoutMs`. */
  rpc<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} took over ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.process.send({ id, cmd, args });
    });
  }

  /**
   * Stops the child by PID: SIGTERM (it exits at once, writing a CPU profile if it was asked
   * for one), then SIGKILL if it is still there after 2 s. Resolves once it is gone.
   */
  async stop(): Promise<void> {
    await stopByPid(this.process);
    await this.exited;
  }
}
