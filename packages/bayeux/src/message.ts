/** A Bayeux message as it arrives or leaves: a JSON object with a few well-known fields. */
export interface BayeuxMessage {
  channel: string;
  id?: string | number;
  clientId?: string;
  data?: unknown;
  ext?: Record<string, unknown>;
  advice?: BayeuxAdvice;
  successful?: boolean;
  error?: string;
  subscription?: string | string[];
  connectionType?: string;
  supportedConnectionTypes?: string[];
  version?: string;
  minimumVersion?: string;
  [field: string]: unknown;
}

/** How the server tells a client to go on (Bayeux 1.0 "advice"). */
export interface BayeuxAdvice {
  reconnect?: 'retry' | 'handshake' | 'none';
  interval?: number;
  timeout?: number;
  [field: string]: unknown;
}

/** The meta channels this server answers; any other `/meta/…` channel is unknown. */
export const META = {
  handshake: '/meta/handshake',
  connect: '/meta/connect',
  subscribe: '/meta/subscribe',
  unsubscribe: '/meta/unsubscribe',
  disconnect: '/meta/disconnect',
} as const;

/** JSONP over GET: served only when the endpoint's `callbackPolling` option is on. */
export const CALLBACK_POLLING = 'callback-polling';

/**
 * Connection types served over HTTP (callback-polling only when enabled); `websocket` joins them
 * where `attachBayeuxWebSocket` serves the endpoint.
 */
export const CONNECTION_TYPES: readonly string[] = ['long-polling', CALLBACK_POLLING, 'cross-origin-long-polling'];

/** The connection type of Bayeux over WebSocket (Faye's and CometD's name). */
export const WEBSOCKET = 'websocket';

/**
 * A Bayeux error string, `code:args:message` (args comma-separated), e.g.
 * `402:abc123:Unknown client`, `403:/a/b:Subscription denied`.
 */
export function bayeuxError(code: number, args: readonly string[], message: string): string {
  return `${code}:${args.join(',')}:${message}`;
}

/** A JSON object (not an array, not null): what every Bayeux message, `ext` and `advice` must be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
