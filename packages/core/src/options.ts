import type { Broker } from './log/broker';
import type { CometLogger } from './diagnostics';
import type { Authenticate, AuthorizeAction, AuthorizeContext, EngineSettings } from './engine/settings';
import { compileRules, type ChannelRules } from './rules/channel-rules';
import { combineAuthorize } from './rules/combine-authorize';
import type { HttpSettings } from './http/settings';
import { resolveHistory } from './log/history-limits';
import type { EndRules, Transport } from './http/transport';

/** Which origins CORS allows: one, a list, a pattern, or a function deciding for one origin. */
export type OriginList = string | RegExp | readonly (string | RegExp)[] | ((origin: string) => boolean);

/** Options of {@link createComet}. Every limit has a safe default. */
export interface CometOptions {
  /** Where messages and history live. Default: a memory broker with {@link history} limits. */
  broker?: Broker;
  /**
   * Transports served under the mount besides (or instead of) the built-in ones: one with the
   * name of a built-in replaces it. See `Transport` and the core README.
   */
  transports?: readonly Transport[];
  /**
   * End rules by transport name, over each transport's own and the hub's defaults:
   * `{ sse: { maxAgeMs: 60_000 } }`.
   */
  endRules?: Readonly<Record<string, Partial<EndRules>>>;
  /**
   * History limits of the default memory broker (see `HistoryOptions`): `maxCount` (10,000),
   * `maxAgeMs` (10 minutes) and `maxBytes` (64 MiB, frames counted: retained history stays under
   * about 64 MiB whatever the publishers send).
   */
  history?: { maxCount?: number; maxAgeMs?: number; maxBytes?: number };
  /** How long a long-poll is held before it answers with no messages. Default 25,000 ms. */
  longPollTimeoutMs?: number;
  /** Most messages in one response (a poll, or one write of a stream). Default 1,000. */
  batchLimit?: number;
  /** Allow `POST {mount}/publish`. Off by default; when on, every publish goes through `authorize`. */
  httpPublish?: boolean;
  /**
   * Serve `GET {mount}/jsonp`, long-polling for `<script>` tags on other origins. Off by default: a
   * script tag from any site may load it (no CORS check), so it suits channels anyone may read.
   * A cross-site request that carries cookies is refused all the same unless its origin is listed
   * in `cors.origins`.
   */
  jsonp?: boolean;
  /**
   * Says once who a request is, for every door (each HTTP route, publish, WebSocket upgrades and
   * their frames, Bayeux): an identity (`{ id, … }`, whatever else the app keeps) or undefined for
   * no one. Sync or async; it sees the neutral request (`request.header('cookie')`,
   * `request.header('authorization')`, `request.raw` for the framework's own). The identity reaches
   * `rules`, `authorize` (`context.identity`) and the hooks. A request refused while it has no
   * identity gets 401 (`unauthorized`), one refused with an identity 403.
   */
  authenticate?: Authenticate;
  /**
   * Who may subscribe and publish where, by channel template: `:name` is one segment bound to
   * `name`, `*` one segment, a final `**` one or more.
   *
   * ```ts
   * rules: {
   *   'user/:id/**': (who, { id }) => who?.id === id,   // a user's own channels
   *   'chat/*': 'everyone',
   *   'news/**': { subscribe: 'identified', publish: 'nobody' },
   * }
   * ```
   *
   * A pattern is allowed only through a rule that covers every channel it can match, so `*\/alice`
   * or `**` reach nothing a rule does not; when rules are given, what no rule allows is refused.
   * With `authorize` too, both must allow.
   */
  rules?: ChannelRules;
  /**
   * Decides whether a request may subscribe or publish (after `rules`, when given). Return false
   * (or a promise of false) to refuse with 403 (401 when `authenticate` found no one). It sees the
   * channels as asked, patterns included: use `patternCovers` rather than testing their text.
   * Default: subscribing is allowed, publishing is allowed when `httpPublish` is on.
   */
  authorize?: (action: AuthorizeAction, context: AuthorizeContext) => boolean | Promise<boolean>;
  limits?: {
    /** Most channels (and patterns) in one request. Default 32. */
    maxChannels?: number;
    /** Largest request body in bytes. Default 64 KiB. */
    maxBodyBytes?: number;
    /** Most requests held open at once across the hub; more get 503. Default 20,000. */
    maxConnections?: number;
    /**
     * The range a client-chosen hold time (Bayeux `advice.timeout`) is clamped to. Default 0 to
     * 60,000 ms (or `longPollTimeoutMs` when longer); 0 answers at once.
     */
    minHoldMs?: number;
    maxHoldMs?: number;
    /**
     * Most bytes of messages (their JSON) in one batch: one poll, JSONP or Bayeux answer, or one
     * write of a stream. A batch stops before the message that would pass it (it always holds
     * one) and the rest comes next, from the batch's cursor: nothing is lost. Counted as the
     * JSON text's length (its UTF-8 size for ASCII). Default 1 MiB.
     */
    maxBatchBytes?: number;
  };
  /** How long `close()` waits for held requests to end. Default 5,000 ms. */
  closeTimeoutMs?: number;
  /** A stream with nothing else to write sends a heartbeat this often. Default 20,000 ms. */
  heartbeatMs?: number;
  /** When the server ends a stream, so the client reconnects with its cursor. */
  streams?: {
    /** Bytes written before a stream ends. Default 128 KiB. */
    byteBudget?: number;
    /** Age at which a stream ends. Default 5 minutes. */
    maxAgeMs?: number;
    /** Bytes waiting in a client's socket buffer before it is cut off as too slow. Default 1 MiB. */
    maxBufferedBytes?: number;
    /**
     * How long an ended stream, or a whole-body answer (a poll, JSONP, Bayeux), may take to hand
     * its last buffered bytes over before the socket is destroyed (a stalled client loses
     * nothing: it resumes from the last cursor it received). Default 10,000 ms.
     */
    drainTimeoutMs?: number;
  };
  /** The `retry:` an SSE stream announces: how long EventSource waits to reconnect. Default 2,000 ms. */
  sseRetryMs?: number;
  /** CORS for `/poll`, `/sse`, `/stream` and `/publish`. Off unless origins are listed. */
  cors?: {
    /**
     * Origins allowed: `'https://app.example'`, a list of them, a RegExp the `Origin` is tested
     * with (anchor it: `/^https:\/\/[a-z]+\.example$/`), or a function deciding for one origin;
     * as the `cors` package takes them.
     */
    origins: OriginList;
    /** Send `Access-Control-Allow-Credentials: true` (cookies). Default false. */
    credentials?: boolean;
  };
  /**
   * Host names (`Host` header, without port) the hub answers for, at every door (each push route,
   * `publish`, WebSocket upgrades), e.g. `['app.example.com']`. Set it in production: a
   * DNS-rebinding page has Origin and Host equal to the attacker's name, which passes the
   * same-origin check; a Host not listed is refused (403). Default: any host.
   */
  allowedHosts?: readonly string[];
  /**
   * Where diagnostics go. Default: the `debug` package (`DEBUG=cometkit:*`) for detail,
   * `console.error` for errors.
   */
  logger?: CometLogger;
}

export type { AuthorizeAction, AuthorizeContext } from './engine/settings';

/** {@link CometOptions} with every default filled in: the engine's settings and what the HTTP routes read. */
export interface ResolvedOptions extends EngineSettings, HttpSettings {}

/** Fills in defaults and checks that numbers are usable. */
export function resolveOptions(options: CometOptions): ResolvedOptions {
  const limits = options.limits ?? {};
  const streams = options.streams ?? {};
  resolveHistory(options.history);
  return {
    longPollTimeoutMs: positive('longPollTimeoutMs', options.longPollTimeoutMs, 25_000),
    batchLimit: positive('batchLimit', options.batchLimit, 1_000),
    httpPublish: options.httpPublish ?? false,
    jsonp: options.jsonp ?? false,
    authorize: combineAuthorize(options.rules === undefined ? undefined : compileRules(options.rules), options.authorize),
    authenticate: checkHook('authenticate', options.authenticate),
    hasAuthorize: options.authorize !== undefined || options.rules !== undefined || options.authenticate !== undefined,
    maxChannels: positive('limits.maxChannels', limits.maxChannels, 32),
    maxBodyBytes: positive('limits.maxBodyBytes', limits.maxBodyBytes, 64 * 1024),
    maxConnections: positive('limits.maxConnections', limits.maxConnections, 20_000),
    minHoldMs: atLeastZero('limits.minHoldMs', limits.minHoldMs, 0),
    maxHoldMs: positive('limits.maxHoldMs', limits.maxHoldMs, Math.max(60_000, options.longPollTimeoutMs ?? 0)),
    maxBatchBytes: positive('limits.maxBatchBytes', limits.maxBatchBytes, 1024 * 1024),
    closeTimeoutMs: positive('closeTimeoutMs', options.closeTimeoutMs, 5_000),
    heartbeatMs: positive('heartbeatMs', options.heartbeatMs, 20_000),
    byteBudget: positive('streams.byteBudget', streams.byteBudget, 128 * 1024),
    streamMaxAgeMs: positive('streams.maxAgeMs', streams.maxAgeMs, 5 * 60_000),
    maxBufferedBytes: positive('streams.maxBufferedBytes', streams.maxBufferedBytes, 1024 * 1024),
    drainTimeoutMs: positive('streams.drainTimeoutMs', streams.drainTimeoutMs, 10_000),
    sseRetryMs: positive('sseRetryMs', options.sseRetryMs, 2_000),
    corsAllows: corsPolicy(options.cors?.origins),
    corsCredentials: options.cors?.credentials ?? false,
    hostAllowed: hostPolicy(options.allowedHosts),
    logger: options.logger,
  };
}

function atLeastZero(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`cometkit: ${name} must be a number ≥ 0`);
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`cometkit: ${name} must be a positive number`);
  return value;
}

function corsPolicy(origins: OriginList | undefined): (origin: string) => boolean {
  if (origins === undefined) return () => false;
  if (typeof origins === 'function') return origins;
  const list = typeof origins === 'string' || origins instanceof RegExp ? [origins] : origins;
  if (!Array.isArray(list) || !list.every((o) => typeof o === 'string' || o instanceof RegExp)) {
    throw new TypeError('cometkit: cors.origins must be a string, a RegExp, an array of them, or a function');
  }
  const exact = new Set(list.filter((o): o is string => typeof o === 'string'));
  const patterns = list.filter((o): o is RegExp => o instanceof RegExp);
  return (origin) => exact.has(origin) || patterns.some((pattern) => testOrigin(pattern, origin));
}

// A global or sticky RegExp keeps lastIndex between calls; reset it so every origin is tested alike.
function testOrigin(pattern: RegExp, origin: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(origin);
}

function hostPolicy(hosts: readonly string[] | undefined): (host: string | undefined) => boolean {
  if (hosts === undefined) return () => true;
  if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string')) {
    throw new TypeError('cometkit: allowedHosts must be an array of host names');
  }
  const allowed = new Set(hosts.map((h) => h.toLowerCase()));
  return (host) => host !== undefined && allowed.has(hostName(host));
}

/** `Host` without its port (`[::1]:3000` → `[::1]`), lower-case. */
function hostName(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':', 1)[0]!;
  return name.toLowerCase();
}

function checkHook<T>(name: string, hook: T | undefined): T | undefined {
  if (hook !== undefined && typeof hook !== 'function') throw new TypeError(`cometkit: ${name} must be a function`);
  return hook;
}
