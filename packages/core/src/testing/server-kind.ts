import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CometHub } from '../index';

/** A server started on 127.0.0.1, port 0. */
export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Where the hub is mounted: `${origin}/comet`. */
  mount: string;
  server: http.Server;
  /** Ends every socket and resolves once the server has stopped. */
  close(): Promise<void>;
}

/**
 * What a test asks of the app a {@link ServerKind} builds, in words every framework understands;
 * the kind knows how its framework does it.
 */
export interface ServerSetup {
  /** Gzip compression middleware in front of cometkit, compressing every response (threshold 0). */
  compress?: boolean;
  /** The framework logs no errors of its own (Koa's `app.silent`), for tests that provoke them. */
  quiet?: boolean;
}

/**
 * One kind of server the shared tests run against (an adapter on one framework major, the
 * `withComet` fast path, a proxy in front of one of them). Every kind mounts the hub under
 * `/comet` and serves the per-route endpoints for channel `orders/<id>`: `GET /orders/:id/updates`
 * (long-poll) and `GET /orders/:id/events` (SSE); `GET /app/ping` answers `pong` and `GET /app/page`
 * is {@link clientPage}. Unknown paths answer 404 from the app.
 */
export interface ServerKind {
  name: string;
  /** A proxy stands in front (it consumes headers addressed to it, such as X-Accel-Buffering). */
  proxy?: boolean;
  start(hub: CometHub, setup?: ServerSetup): Promise<RunningServer>;
}

/**
 * A blank page that loads the browser client with one script tag (from `scriptSrc`, by default
 * the hub's own `/comet/client.js`), for browser tests to drive with `page.evaluate`.
 */
export function clientPage(scriptSrc = '/comet/client.js'): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>cometkit test page</title><script src="${scriptSrc}"></script></head><body></body></html>`;
}

/** Listens on 127.0.0.1:0; `close()` ends every socket and waits for the server to stop. */
export function listen(server: http.Server): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      resolve({
        origin,
        mount: `${origin}/comet`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
