import type { CometLogger } from '../diagnostics';
import type { CometRequest } from '../neutral';
import type { Identity } from '../rules/channel-rules';

/**
 * What a request asks to do, for `authorize`: subscribe or publish (every entry point), or open a
 * session (a Bayeux `/meta/handshake`).
 */
export type AuthorizeAction = 'subscribe' | 'publish' | 'handshake';

/** What `authorize` is told about a request. */
export interface AuthorizeContext {
  /** Canonical channel names (patterns included) the request subscribes or publishes to. */
  readonly channels: readonly string[];
  /** The message data, for `publish`. */
  readonly data?: unknown;
  /** The neutral request; `request.raw` is the framework's own (Express `req`, Koa `ctx`). */
  readonly request: CometRequest;
  /** The entry point asking (`poll`, `sse`, `bayeux`, a custom transport's name). */
  readonly transport?: string;
  /** The session the request belongs to, on entry points that have one (Bayeux: its clientId and state). */
  readonly session?: unknown;
  /** The message's `ext` object, on entry points that carry one (Bayeux). */
  readonly ext?: unknown;
  /** Who the request is, as `authenticate` said (undefined: no one, or no `authenticate`). */
  readonly identity?: Identity;
}

/** The application's word on who a request is: an identity, or undefined for no one. */
export type Authenticate = (request: CometRequest) => Identity | undefined | Promise<Identity | undefined>;

/**
 * The resolved settings the engine and the kit read: limits on subscribers, holds and streams,
 * `authorize`, diagnostics. The hub's resolved options are a superset (they add what only the
 * HTTP routes read), so the engine never depends on HTTP.
 */
export interface EngineSettings {
  /** Most messages in one batch. */
  batchLimit: number;
  /** Most bytes (of the messages' JSON) in one batch; a batch always holds at least one message. */
  maxBatchBytes: number;
  /** The channel rules and the application's `authorize`, as one check (both must allow). */
  authorize: (action: AuthorizeAction, context: AuthorizeContext) => boolean | Promise<boolean>;
  /** The application's `authenticate`, when set. */
  authenticate: Authenticate | undefined;
  /**
   * False when no `authorize`, `rules` or `authenticate` was configured: every request is allowed,
   * and nothing reads its context (a held poll then builds none).
   */
  hasAuthorize: boolean;
  /** Most subscribers held at once (requests awaiting `authorize` count). */
  maxConnections: number;
  /** The range a requested hold time is clamped to. */
  minHoldMs: number;
  maxHoldMs: number;
  /** How long `close()` waits for requests still being authorized. */
  closeTimeoutMs: number;
  /** Bytes waiting in a client's buffer before a live stream is cut off as too slow. */
  maxBufferedBytes: number;
  /** How long an ended stream may take to hand over its last bytes. */
  drainTimeoutMs: number;
  logger: CometLogger | undefined;
}
