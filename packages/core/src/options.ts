import type { Broker } from './broker';
import type { CometRequest } from './neutral';

/** What a request asks to do, for {@link CometOptions.authorize}. */
export type AuthorizeAction = 'subscribe' | 'publish';

/** What {@link CometOptions.authorize} is told about a request. */
export interface AuthorizeContext {
  /** Canonical channel names (patterns included) the request subscribes or publishes to. */
  readonly channels: readonly string[];
  /** The message data, for `publish`. */
  readonly data?: unknown;
  /** The neutral request; `request.raw` is the framework's own (Express `req`, Koa `ctx`). */
  readonly request: CometRequest;
}

/** Options of {@link createComet}. Every limit has a safe default. */
export interface CometOptions {
  /** Where messages and history live. Default: a memory broker with {@link history} limits. */
  broker?: Broker;
  /** History limits of the default memory broker. */
  history?: { maxCount?: number; maxAgeMs?: number };
  /** How long a long-poll is held before it answers with no messages. Default 25,000 ms. */
  longPollTimeoutMs?: number;
  /** Most messages in one response (a poll, or one write of a stream). Default 1,000. */
  batchLimit?: number;
  /** Allow `POST {mount}/publish`. Off by default; when on, every publish goes through `authorize`. */
  httpPublish?: boolean;
  /**
   * Decides whether a request may subscribe or publish. Return false (or a promise of false) to
   * refuse with 403. Default: subscribing is allowed, publishing is allowed when `httpPublish` is on.
   */
  authorize?: (action: AuthorizeAction, context: AuthorizeContext) => boolean | Promise<boolean>;
  limits?: {
    /** Most channels (and patterns) in one request. Default 32. */
    maxChannels?: number;
    /** Largest request body in bytes. Default 64 KiB. */
    maxBodyBytes?: number;
    /** Most requests held open at once across the hub; more get 503. Default 20,000. */
    maxConnections?: number;
  };
  /** How long `close()` waits for held requests to end. Default 5,000 ms. */
  closeTimeoutMs?: number;
}

/** {@link CometOptions} with every default filled in. */
export interface ResolvedOptions {
  longPollTimeoutMs: number;
  batchLimit: number;
  httpPublish: boolean;
  authorize: NonNullable<CometOptions['authorize']>;
  maxChannels: number;
  maxBodyBytes: number;
  maxConnections: number;
  closeTimeoutMs: number;
}

/** Fills in defaults and checks that numbers are usable. */
export function resolveOptions(options: CometOptions): ResolvedOptions {
  const limits = options.limits ?? {};
  return {
    longPollTimeoutMs: positive('longPollTimeoutMs', options.longPollTimeoutMs, 25_000),
    batchLimit: positive('batchLimit', options.batchLimit, 1_000),
    httpPublish: options.httpPublish ?? false,
    authorize: options.authorize ?? (() => true),
    maxChannels: positive('limits.maxChannels', limits.maxChannels, 32),
    maxBodyBytes: positive('limits.maxBodyBytes', limits.maxBodyBytes, 64 * 1024),
    maxConnections: positive('limits.maxConnections', limits.maxConnections, 20_000),
    closeTimeoutMs: positive('closeTimeoutMs', options.closeTimeoutMs, 5_000),
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`cometkit: ${name} must be a positive number`);
  return value;
}
