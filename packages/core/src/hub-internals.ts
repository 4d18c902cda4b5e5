import type { AbortSignalLike } from './neutral';
import type { ResolvedOptions } from './options';
import type { PushRequest } from './push-request';
import type { CometStats } from './stats';
import type { EndReason, Subscriber, SubscriberHandlers } from './subscriber';

/** How long a subscriber may stay open, and what ending it then means. */
export interface Lifetime {
  readonly ms: number;
  readonly reason: EndReason;
}

/** The part of the hub transports use. */
export interface HubInternals {
  readonly options: ResolvedOptions;
  readonly stats: CometStats;
  /**
   * Registers a subscriber for `push` and starts reading from its cursor. It ends (the transport's
   * `end` is called) when the client goes away (`signal`), or when `lifetime` runs out (after
   * handing over what is pending).
   * Reads continue while history has more (`readAll`), else stop after the first batch that has
   * messages: a long-poll answers that batch and ends.
   */
  subscribe(
    transport: string,
    push: PushRequest,
    handlers: SubscriberHandlers,
    signal: AbortSignalLike,
    lifetime: Lifetime,
    readAll: boolean,
  ): Subscriber;
  /** Removes a subscriber from every index and counter. Idempotent. */
  release(subscriber: Subscriber): void;
  /**
   * The cursor a subscriber may resume from now: past the head when it is live with nothing
   * pending (everything published since did not match), else its own position.
   */
  cursorOf(subscriber: Subscriber): string;
  /** Streams that the hub's one heartbeat timer visits (every half heartbeat interval). */
  readonly heartbeats: HeartbeatSet;
}

/** Something the heartbeat timer visits: it writes a heartbeat when it has been idle long enough. */
export interface HeartbeatTarget {
  heartbeat(now: number): void;
}

/** The set of {@link HeartbeatTarget}s; the timer runs only while it is not empty. */
export interface HeartbeatSet {
  add(target: HeartbeatTarget): void;
  delete(target: HeartbeatTarget): void;
}
