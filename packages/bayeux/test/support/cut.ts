import type http from 'node:http';

/** Decides, for one Bayeux answer about to be written, whether its socket is destroyed instead. */
export type CutRule = (request: http.IncomingMessage, body: string) => boolean;

/**
 * Stands between node:http and the app: an answer the rule picks is never written; its socket is
 * destroyed at the moment the answer would have gone out (the server-side view of a connect that
 * died on the way). Counts what it cut.
 */
export function cutter(rule: CutRule): { wrap: (listener: http.RequestListener) => http.RequestListener; cuts: () => number } {
  let cuts = 0;
  return {
    cuts: () => cuts,
    wrap: (listener) => (req, res) => {
      const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
      res.end = ((...args: unknown[]) => {
        const body = args[0];
        const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString() : '';
        if (rule(req, text)) {
          cuts++;
          req.socket.destroy();
          return res;
        }
        return end(...args);
      }) as typeof res.end;
      listener(req, res);
    },
  };
}
