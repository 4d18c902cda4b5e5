import type { IncomingMessage } from 'node:http';
import type { ResolvedOptions } from '@cometkit/core';

/**
 * Whether a socket may open from this request's `Origin`: none sent (not a browser), the server's
 * own host, or an origin CORS allows. Browsers send cookies with a WebSocket from any page and the
 * handshake has no preflight, so without this any site could open a socket as the user
 * (cross-site WebSocket hijacking).
 */
export function originAllowed(req: IncomingMessage, options: ResolvedOptions): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return sameHost(origin, req.headers.host) || options.corsAllows(origin);
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // `Origin: null` (a sandboxed frame, a file:// page) and other non-URLs
  }
}
