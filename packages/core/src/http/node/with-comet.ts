import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLog, type CometLogger } from '../../diagnostics';
import { toMountable, type Mountable } from '../mountable';
import { isClientGone } from './client-gone';
import { handleNode } from './handle-node';

/** A `node:http` request listener: what `http.createServer` takes, and what Express and Koa apps are. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link withComet}. */
export interface WithCometOptions {
  /** Where unexpected errors go. Default: the hub's `logger` option, else `console.error`. */
  logger?: CometLogger;
}

/**
 * Serves a hub (or any neutral handler) under `prefix` straight from `node:http`, before the app
 * sees the request, and hands every other request to `app` (with a `''` prefix, every path the
 * handler does not serve). The fast path: a held request then
 * costs no framework state (Express keeps about 4 KB per request alive for as long as it is held).
 *
 * ```ts
 * http.createServer(withComet(hub, '/comet', app)).listen(3000);          // Express
 * http.createServer(withComet(hub, '/comet', koa.callback())).listen(3000); // Koa
 * ```
 */
export function withComet(mountable: Mountable, prefix: string, app: RequestListener, options: WithCometOptions = {}): RequestListener {
  const { handle, serves, drainTimeoutMs } = toMountable(mountable);
  const mount = prefix.replace(/\/+$/, '');
  const log = createLog('node', options.logger ?? loggerOf(mountable));
  return (req, res) => {
    const url = req.url ?? '/';
    const rest = url.startsWith(mount + '/') || url.startsWith(mount + '?') ? url.slice(mount.length) : url === mount ? '/' : undefined;
    // Under a prefix every path is the handler's; with none (`''`) only its own routes are.
    if (rest === undefined || (mount === '' && !serves(rest.split('?', 1)[0]!))) return app(req, res);
    void handleNode(handle, req, res, {
      url: rest,
      raw: req,
      drainTimeoutMs,
      onError(error: unknown) {
        if (isClientGone(error)) return;
        // Only a bug gets here (protocol errors are answers): answer 500 and say so.
        log.error('unexpected error', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"internal","message":"Internal error."}}');
      },
    });
  };
}

/** A hub carries its `logger` option in `options`. */
function loggerOf(mountable: Mountable): CometLogger | undefined {
  return (mountable as { options?: { logger?: CometLogger } }).options?.logger;
}
