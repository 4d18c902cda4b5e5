import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The demo running in its own process, with the URLs it printed. */
export interface RunningDemo {
  express: string;
  koa: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `examples/demo/start.mjs` on free ports (PORT=0); stops it by PID. */
export function startDemo(timeoutMs = 15_000): Promise<RunningDemo> {
  const child = spawn(process.execPath, [join(__dirname, '../../examples/demo/start.mjs')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(child.pid!, 'SIGTERM');
      setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 3_000).unref();
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`demo did not start:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const express = /\(Express\): (http:\S+)/.exec(output)?.[1];
      const koa = /\(Koa\): (http:\S+)/.exec(output)?.[1];
      if (express && koa) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve({ express, koa, process: child, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${output}`));
    });
  });
}
