import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CometHub } from '../hub';
import { handleNode } from './handle-node';

/** A `node:http` request listener: what `http.createServer` takes, and what Express and Koa apps are. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves the hub under `prefix` straight from `node:http`, before the app sees the request, and
 * hands every other request to `app`. The fast path: a held request then costs no framework
 * state (Express keeps about 4 KB per request alive for as long as it is held).
 *
 * ```ts
 * http.createServer(withComet(hub, '/comet', app)).listen(3000);          // Express
 * http.createServer(withComet(hub, '/comet', koa.callback())).listen(3000); // Koa
 * ```
 */
export function withComet(hub: CometHub, prefix: string, app: RequestListener): RequestListener {
  const mount = prefix.replace(/\/+$/, '');
  return (req, res) => {
    const url = req.url ?? '/';
    const rest = url.startsWith(mount + '/') || url.startsWith(mount + '?') ? url.slice(mount.length) : url === mount ? '/' : undefined;
    if (rest === undefined) return app(req, res);
    handleNode(hub.handle, req, res, { url: rest, raw: req }).catch((error: unknown) => {
      // Only a bug gets here (protocol errors are answers): answer 500 and say so.
      console.error('cometkit: unexpected error', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"internal","message":"Internal error."}}');
    });
  };
}
