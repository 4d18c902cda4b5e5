import type { Log } from '@cometkit/core/kit';
import type { Redis } from 'ioredis';
import type { Link } from './connections';

/** How the feed connection hears the partitions' channels: plain pub/sub, or sharded on a cluster. */
export interface FeedSubscription {
  /** The event the feed's messages arrive as on the subscriber link. */
  readonly event: 'message' | 'smessage';
  /** Subscribes to every channel; resolves once Redis has confirmed each. */
  subscribe(): Promise<void>;
  /**
   * Calls `resubscribed` each time a lost subscription has been made again and confirmed, so the
   * feeds read what went by while there was none (in that order: nothing falls between).
   */
  onResubscribed(resubscribed: () => void): void;
  /** PINGs the connections the messages come on, so a stalled one is noticed and made again. */
  probe(): void;
}

/** The sharded subscriber connections ioredis keeps, one per master (not in its types). */
function shardConnections(cluster: Link): Redis[] {
  const group = (cluster as unknown as { shardedSubscribers?: { shardedSubscribers?: Map<string, { getInstance(): Redis | null }> } }).shardedSubscribers;
  const subscribers = group?.shardedSubscribers;
  if (!(subscribers instanceof Map)) return [];
  return [...subscribers.values()].map((sub) => sub.getInstance()).filter((redis): redis is Redis => redis !== null && redis.status === 'ready');
}

/**
 * The feed's subscription to `channels` on `subscriber` (already connected). Plain pub/sub
 * resubscribes on each `ready` of the link. Sharded pub/sub (a Cluster made with
 * `shardedSubscribers`) subscribes one channel per command (each partition is its own slot);
 * ioredis routes it to the master of that slot and, after a failover, a MOVED or an unsolicited
 * `sunsubscribe`, makes its connections again and resubscribes them, then emits
 * `subscribersReady` without waiting for the replies: a PING on each of those connections, answered
 * after the SSUBSCRIBEs sent before it, is the confirmation.
 */
export function createFeedSubscription(subscriber: Link, channels: readonly string[], sharded: boolean, log: Log, isClosed: () => boolean): FeedSubscription {
  if (!sharded) {
    const subscribe = async (): Promise<void> => {
      await subscriber.subscribe(...channels);
    };
    return {
      event: 'message',
      subscribe,
      onResubscribed(resubscribed) {
        // Every `ready` from now on is a new connection after a lost one.
        subscriber.on('ready', () => {
          if (isClosed()) return;
          subscribe().then(resubscribed, (error: Error) => log.debug('resubscribe failed: %s', error.message));
        });
      },
      probe: () => void subscriber.ping().catch(() => undefined),
    };
  }
  const pingShards = (): Promise<unknown> => Promise.allSettled(shardConnections(subscriber).map((redis) => redis.ping()));
  return {
    event: 'smessage',
    async subscribe() {
      await Promise.all(channels.map((channel) => subscriber.ssubscribe(channel)));
    },
    onResubscribed(resubscribed) {
      subscriber.on('subscribersReady', () => {
        if (isClosed()) return;
        void pingShards().then(() => {
          if (!isClosed()) resubscribed();
        });
      });
    },
    probe: () => void pingShards(),
  };
}
