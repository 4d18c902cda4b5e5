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
   * Registers a subscriber for `push`, starts reading from its cursor, and releases it when the
   * client goes away (`signal`) or when `lifetime` runs out (after handing over what is pending).
   * Reads continue while history has more (`readAll`), else stop after the first batch that has
   * messages: a long-poll answers that batch and ends.
   */
  subscribe(
    transport: string,
    push: PushRequest,
    handlers: SubscriberHandlers,
    signal: AbortSignal,
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
  /** Calls `tick` on the hub's one heartbeat timer (every half heartbeat interval) until stopped. */
  onHeartbeatTick(tick: (now: number) => void): () => void;
}
