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
 * (`csrf`); `open-socket` the same of its `Origin` (`forbidden`). A `read` sent from another site
 * with the user's cookies (a `<script>` or `<iframe>` of a foreign page: no preflight, no CORS
 * check, and SameSite=Lax does not stop a top-level-safe GET) is refused unless its origin is
 * CORS-allowed (`forbidden`); without cookies it reads only what anyone may, and a page on another
 * site can read a poll's answer only where CORS grants it.
 */
export function screenRequest(request: Pick<CometRequest, 'header'>, settings: ScreenSettings, action: ScreenedAction): CometError | undefined {
  const host = request.header('host');
  if (!settings.hostAllowed(host)) {
    return action === 'publish'
      ? cometError('csrf', 'Publishing is not allowed for this host name.')
      : cometError('forbidden', 'This host name is not served here (see the allowedHosts option).');
  }
  if (action === 'read') return crossSiteWithCookies(request, host, settings) ? CROSS_SITE_READ : undefined;
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

const CROSS_SITE_READ = cometError(
  'forbidden',
  'A request from another site that carries cookies is refused unless its origin is listed in cors.origins.',
);

/**
 * A request a page of another site made with the user's cookies, from an origin CORS does not
 * allow. The site is read from Fetch Metadata (`Sec-Fetch-Site`, sent by every current browser),
 * else from `Origin`, else from `Referer`; a request with none of them is no browser's cross-site
 * request (a server, curl), and one without cookies carries no one's authority.
 */
function crossSiteWithCookies(request: Pick<CometRequest, 'header'>, host: string | undefined, settings: ScreenSettings): boolean {
  if (request.header('cookie') === undefined) return false;
  const fetchSite = request.header('sec-fetch-site');
  const origin = request.header('origin') ?? originOf(request.header('referer'));
  const crossSite = fetchSite !== undefined ? fetchSite === 'cross-site' : origin !== undefined && !sameHost(origin, host);
  return crossSite && (origin === undefined || !settings.corsAllows(origin));
}

/** The origin of a URL (`https://a.example/page` → `https://a.example`), or undefined. */
function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
