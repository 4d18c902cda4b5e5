/**
 * What every target server shares: it listens on 127.0.0.1 (port 0), then takes the driver's
 * requests over IPC: how many subscribers it holds, publish runs, memory after GC. A target only
 * says how it serves subscribers and how it publishes one message.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuMicros, memoryReport, now, serveIpc } from '../ipc';
import { paceRun, type PublishRun } from '../publish-run';

/** The payload of every benchmark message: a sequence number and the publish time. */
export interface BenchMessage {
  seq: number;
  t: number;
}

/** What one target server implements. */
export interface Target {
  /** Subscribers currently registered and able to receive a publish. */
  held(): number;
  /** Publishes one message to every subscriber (the library's own broadcast). */
  publish(message: BenchMessage): unknown;
  /** Where a new subscriber resumes so that it misses nothing published after this call. */
  cursor?(): string | Promise<string>;
}

/**
 * The epoch of the cursors the diagnostic servers write when they send cometkit's wire format
 * (`wire`): cometkit's length (18 characters), so the bytes per message are cometkit's.
 */
export const WIRE_EPOCH = 'mi6x2k3a0123456789';

/** The route the HTTP publisher posts to, on every target: `POST /bench/publish` `{"seq","t"}`. */
export const PUBLISH_PATH = '/bench/publish';

/**
 * The app's publish route, as an app writes one: read the JSON body, publish through the library,
 * answer once the library took it. Each target mounts it through its own framework (an Express
 * route, a Koa middleware, a branch of a bare handler), so the publish costs what it costs there.
 */
export function publishRoute(publish: Target['publish']): http.RequestListener {
  return (req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const answer = (status: number): void => void res.writeHead(status, { 'content-length': '0' }).end();
      try {
        const result = publish(JSON.parse(body) as BenchMessage);
        if (result instanceof Promise) result.then(() => answer(200), () => answer(503));
        else answer(200);
      } catch {
        answer(500);
      }
    });
  };
}

/**
 * A plain `node:http` app, as the bare baselines have one: `POST /bench/publish` goes to
 * `publishHandler`, everything else to `rest` (by default 404).
 */
export function plainApp(publishHandler: http.RequestListener, rest: http.RequestListener = (_req, res) => void res.writeHead(404).end()): http.RequestListener {
  return (req, res) => (req.method === 'POST' && req.url === PUBLISH_PATH ? publishHandler(req, res) : rest(req, res));
}

export async function runServer(server: http.Server, target: Target): Promise<void> {
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 31_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, resolve);
  });
  let publishErrors = 0;
  const publishOne = (seq: number): void => {
    try {
      const result = target.publish({ seq, t: now() });
      if (result instanceof Promise) result.catch(() => publishErrors++);
    } catch {
      publishErrors++;
    }
  };
  serveIpc(
    {
      held: () => target.held(),
      cursor: () => target.cursor?.() ?? '',
      memory: () => memoryReport(),
      cpu: cpuMicros,
      async publish(run: PublishRun) {
        const { started, finished } = await paceRun(run, publishOne);
        return { started, finished, errors: publishErrors };
      },
    },
    { port: (server.address() as AddressInfo).port },
  );
}
