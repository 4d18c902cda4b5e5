import { fork } from 'node:child_process';
import path from 'node:path';
import type { CometHub } from '@cometkit/core';
import { type RunningServer, until } from '@cometkit/core/testing';
import { transportQuery } from './targets';

/** How a shutdown with many held connections went. */
export interface ShutdownFigures {
  held: number;
  answered: number;
  /** Poll answers that did not say `Connection: close` (D4: the server then keeps the socket open). */
  keepAliveAnswers: number;
  /** From `hub.close()` + `server.close()` to the server's close callback. */
  closeMs: number;
  hubCloseMs: number;
}

const TRANSPORTS = ['poll', 'jsonp', 'sse', 'stream', 'iframe'];

/**
 * Holds `held` keep-alive connections spread over every transport (from a child process), then
 * calls `hub.close()` and `server.close()` at the same time and measures until the server has
 * closed. Bounded: the server is forced shut after `forceAfterMs` (so `closeMs` never exceeds it by
 * much), and the child is stopped by PID.
 */
export async function shutdownWithHeld(options: { hub: CometHub; server: RunningServer; held: number; timeLimitMs: number; forceAfterMs: number }): Promise<ShutdownFigures> {
  const { hub, server, held } = options;
  const port = Number(new URL(server.origin).port);
  const mountPath = new URL(server.mount).pathname;
  const paths = TRANSPORTS.map((name) => `${mountPath}/${name}?channel=shutdown/${name}${transportQuery(name)}`);
  const child = fork(path.join(__dirname, 'held-clients.cjs'), [JSON.stringify({ port, paths, count: held })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }): void => (m.type === type ? (child.off('message', onMessage), resolve(m)) : undefined);
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`held-clients exited with ${code}`)));
    });
  try {
    await next('connected');
    await until(() => hub.stats().connections === held, options.timeLimitMs, () => `${held} held, got ${hub.stats().connections}`);
    const started = performance.now();
    let hubClosedAt = 0;
    const serverClosed = new Promise<number>((resolve) => server.server.close(() => resolve(performance.now())));
    const hubClosed = hub.close().then(() => (hubClosedAt = performance.now()));
    const forced = setTimeout(() => server.server.closeAllConnections(), options.forceAfterMs);
    const closedAt = await serverClosed;
    clearTimeout(forced);
    await hubClosed;
    child.send({ type: 'report' });
    const report = await next('report');
    return {
      held,
      answered: report.answered,
      keepAliveAnswers: report.keepAliveAnswers,
      closeMs: Math.round(closedAt - started),
      hubCloseMs: Math.round(hubClosedAt - started),
    };
  } finally {
    if (child.exitCode === null && child.pid) {
      child.send({ type: 'stop' });
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 2_000).unref())]);
      if (child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    }
  }
}
