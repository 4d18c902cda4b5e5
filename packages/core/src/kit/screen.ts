import { cometError, type CometError } from '../errors';
import type { CometRequest } from '../neutral';

/** What the screen reads of the hub's settings (the hub's resolved options have both). */
export interface ScreenSettings {
  /** Whether a request may be answered for a `Host`; always true when `allowedHosts` is not set. */
  hostAllowed(host: string | undefined): boolean;
  /** Whether CORS allows `origin`; always false when CORS is off. */
  corsAllows(origin: string): boolean;
}

/**
 * What a request is about to do, which decides what it must pass: `read` (a poll, a stream, a
 * Bayeux request), `publish` (the publish route, a publish over a socket), `open-socket` (a
 * WebSocket upgrade, which browsers send from any page with the user's cookies and no preflight).
 */
export type ScreenedAction = 'read' | 'publish' | 'open-socket';

/**
 * The request screen every door passes before anything of its own: the `Host` (against DNS
 * rebinding, where Origin and Host are both the attacker's name) and the `Origin` (a cross-site
 * page). Returns the refusal, or undefined to go on.
 *
 * Every action needs a host in `allowedHosts` when that is set (`forbidden`; `csrf` for a
 * publish). `publish` also needs, when an `Origin` is sent, this host or a CORS-allowed origin
 * (`csrf`); `open-socket` the same of its `Origin` (`forbidden`); `read` passes the origin check
 * (what a cross-site page may read is CORS's to decide).
 */
export function screenRequest(request: Pick<CometRequest, 'header'>, settings: ScreenSettings, action: ScreenedAction): CometError | undefined {
  const host = request.header('host');
  if (!settings.hostAllowed(host)) {
    return action === 'publish'
      ? cometError('csrf', 'Publishing is not allowed for this host name.')
      : cometError('forbidden', 'This host name is not served here (see the allowedHosts option).');
  }
  if (action === 'read') return undefined;
  const origin = request.header('origin');
  if (origin === undefined || sameHost(origin, host) || settings.corsAllows(origin)) return undefined;
  return action === 'publish'
    ? cometError('csrf', 'Cross-origin publishing is not allowed.')
    : cometError('forbidden', 'This origin may not open a WebSocket here.');
}

/** Whether `origin` names the host the request was sent to (`Host` is case-insensitive). */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // `Origin: null` (a sandboxed frame, a file:// page) and other non-URLs
  }
}
