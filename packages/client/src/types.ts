/** Public types of the client. */
import type { GapReason, Message } from '@cometkit/protocol';

export type { GapReason };

/** Channel names mapped to their payload types, to type a client: `createClient<{ 'chat/room': Chat }>(…)`. */
export type ChannelMap = Record<string, unknown>;

/** The channels of a client given no {@link ChannelMap}: any name, any payload (handlers annotate their own). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyChannels = Record<string, any>;

/** A transport, by its route name under the mount (see PROTOCOL.md). */
export type TransportName = 'ws' | 'sse' | 'stream' | 'iframe' | 'poll' | 'jsonp';

/**
 * One message as the server sent it: `channel` is the exact channel it was published to (a
 * pattern subscription sees the real name), `cursor` its place in the server's log, `data` what
 * the publisher sent.
 */
export type CometMessage<T = unknown> = Message<T>;

/** Called for each message on a subscribed channel. */
export type MessageHandler<T = unknown> = (data: T, message: CometMessage<T>) => void;

/**
 * Where the client stands: `idle` (nothing subscribed), `connecting`, `connected`,
 * `disconnected` (waiting before a retry) or `closed`.
 */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

/** Messages were lost: history no longer reached the cursor, or the server's log changed. */
export interface GapEvent {
  /** `expired` (evicted from history) or `epoch` (another log: the server restarted or was wiped). */
  reason: GapReason;
  /** The cursor the client resumed from. */
  from: string;
  /** Where the stream continues, when the server said. */
  cursor?: string;
}

/** An error the client met; it keeps retrying unless closed. */
export interface ClientError {
  /** The server's error code (`bad_channel`, `forbidden`, …), or `network`, `buffering`, `no_transport`. */
  code: string;
  message: string;
  /** The HTTP status, when the server answered. */
  status?: number;
  transport?: TransportName;
}

/** Every event of a client and what its listeners receive. */
export interface ClientEvents {
  /** The state changed. */
  state: ClientState;
  /** A transport is open and delivering. */
  connected: { transport: TransportName };
  /** A connection that was open is lost (or the client closed); `retryInMs` is when it tries again. */
  disconnected: { transport?: TransportName; reason: string; retryInMs?: number };
  /**
   * The transport in use changed: `initial` (the first choice), `failed` (the previous one never
   * opened here), or `buffering` (a stream delivered nothing in time; the client fell back to polling).
   */
  transport: { from?: TransportName; to: TransportName; reason: 'initial' | 'failed' | 'buffering' };
  /** Messages were lost; see {@link GapEvent}. Delivery continues after it. */
  gap: GapEvent;
  error: ClientError;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * The hub's mount URL: `/comet` in a page, absolute (`http://host:3000/comet`) from another origin
   * and always in Node. A query string in it is kept and sent with every request.
   */
  url: string;
  /**
   * Transports to try, in order. Default `['ws', 'sse', 'stream', 'iframe', 'poll', 'jsonp']`, minus
   * the ones this environment lacks and those that failed against this server earlier in this tab's
   * session while a later one worked. Give one name to force it.
   */
  transports?: readonly TransportName[];
  /** Resume from this cursor (one the server gave earlier). Default: from now. */
  cursor?: string;
  /**
   * A stream that delivers no frame (not even a heartbeat) within this many ms of its request is
   * taken as buffered by a proxy or antivirus: the client falls back to polling. Default 5,000.
   */
  bufferingTimeoutMs?: number;
  /**
   * A stream silent this long after a frame is taken as dead (a half-open connection, or an
   * iframe whose response broke, which fires no event) and reopened from the cursor. Default:
   * twice the `heartbeatMs` the server announces in its open frame, plus that again up to 5 s
   * (45,000 before that; about 6 s for the forever iframe, whose heartbeat comes every 2 s).
   */
  idleTimeoutMs?: number;
  /** Reconnect delays: exponential from `minMs` to `maxMs`, with jitter. Default 500 and 30,000. */
  backoff?: { minMs?: number; maxMs?: number };
  /** A poll unanswered after this many ms is abandoned and retried. Default 60,000. */
  requestTimeoutMs?: number;
  /**
   * Cross-origin only: `true` says the server allows this origin (CORS), `false` that it does not
   * (use JSONP at once). Default: find out; a CORS transport that fails to open means JSONP.
   */
  cors?: boolean;
  /**
   * Send cookies (and HTTP authentication) to a server on another origin: `credentials: 'include'`
   * for fetch, `withCredentials` for XHR and `EventSource`. The server must allow it
   * (`cors.credentials`). Same-origin requests send cookies anyway, and so do the iframe and JSONP
   * (subject to the cookies' `SameSite`). Default `false`.
   */
  credentials?: boolean;
  /**
   * Headers for every request of the transports that can set them: `poll`, `stream` and
   * `publish` (`EventSource`, the iframe and JSONP cannot; use `query` for those). A function is
   * called before each request, so a token can refresh. Across origins the server's CORS must
   * allow them (it allows `Authorization`).
   */
  headers?: Record<string, string> | (() => Record<string, string>);
  /**
   * Query parameters for every request, on every transport (the way to send a token over SSE,
   * the iframe or JSONP), added to the query of `url` itself. A function is called before each request.
   */
  query?: Record<string, string> | (() => Record<string, string>);
  /**
   * Share one connection between the tabs of this origin that share the same `url`: one tab (the
   * leader, chosen with Web Locks) holds it for the union of every tab's channels and passes each
   * message on over a `BroadcastChannel`; when it closes, another tab takes over from the shared
   * cursor. Where Web Locks or BroadcastChannel are missing, each tab connects by itself. Every
   * sharing tab must use the same credentials (the leader's `headers`, `query` and cookies apply
   * to all). Default `false`.
   */
  share?: boolean;
}

/** Payload type of a channel or pattern in a {@link ChannelMap}; `unknown` when the map says nothing. */
export type DataOf<S extends ChannelMap, C extends string> = C extends keyof S
  ? S[C]
  : [PatternData<S, C>] extends [never]
    ? unknown
    : PatternData<S, C>;

type PatternData<S extends ChannelMap, C extends string> = C extends `${infer P}/*` | `${infer P}/**`
  ? { [K in keyof S & string]: K extends `${P}/${string}` ? S[K] : never }[keyof S & string]
  : never;
