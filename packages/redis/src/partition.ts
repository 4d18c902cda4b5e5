import { EntryRing } from '@cometkit/core/kit';
import { createFeed, type Feed, type FeedOptions } from './feed';
import type { LogStore } from './log-store';
import { createSharedReads, type HistoryPage } from './shared-reads';
import { unavailable } from './unavailable';

/**
 * One partition of the log as this process sees it (the whole log when there is one): its
 * store in Redis, its feed, and the two read caches, the entries the feed brought last and the
 * history reads shared while on their way.
 */
export interface Partition {
  readonly store: LogStore;
  readonly feed: Feed;
  /**
   * The entries the feed brought last, when they answer a read of `epoch` after `after` exactly
   * as Redis would now; undefined when they do not, or not yet (see {@link Partition.nearOnceFed}).
   */
  near(epoch: string, after: number): EntryRing | undefined;
  /**
   * {@link Partition.near} once the feed has brought every publish of this process that Redis
   * acknowledged (it is on its way, sent by the same script), waiting for it up to `feedWaitMs`;
   * undefined at once when that is not what stood in the way. Undefined means: read Redis.
   */
  nearOnceFed(epoch: string, after: number): Promise<EntryRing | undefined>;
  /**
   * At most `count` entries after `after` of `epoch` from Redis, shared with a read on its way
   * that covers them; its `seq` is at least the last position this process knows was assigned
   * in that epoch (so its reader is told there is more). Rejects `unavailable`.
   */
  history(epoch: string, after: number, count: number): Promise<HistoryPage>;
}

/** What {@link createPartition} needs: its feed's options, and how far its reads near the head reach. */
export interface PartitionOptions extends FeedOptions {
  /** Entries the feed brought that are kept to answer reads near the head (0: none). */
  recentCount: number;
  /** Most bytes those entries may hold (text and frames, as the memory broker's history counts them). */
  recentMaxBytes: number;
  /** Longest a read near the head waits for the feed to bring a publish this process knows was assigned. */
  feedWaitMs: number;
  /** Age past which Redis drops an entry from history (its clock); the recent entries drop it too. */
  maxAgeMs: number;
}

/**
 * The partition on `options.store`, its feed started. Each entry the feed brings is kept among
 * the recent entries before it goes on to `options.dispatch`.
 *
 * Pollers come back with the cursor they were just given, almost always a few entries behind the
 * head: without the recent entries, each of them would be one Redis script call per poll, and
 * the Redis work per publish would grow with the subscribers.
 */
export function createPartition(options: PartitionOptions): Partition {
  const { store, log } = options;
  // Empty at the feed's start: a reader already there (in a partition nothing was published to
  // since) is answered too.
  const recent = new EntryRing(options.recentCount, options.start.epoch, options.start.position + 1, options.recentMaxBytes);
  const readShared = createSharedReads(store.range);
  const feed = createFeed({
    ...options,
    dispatch(entry) {
      recent.push(entry);
      options.dispatch(entry);
    },
  });

  // Synchronous: a poller back with the cursor it was just given is answered with no wait.
  function near(epoch: string, after: number): EntryRing | undefined {
    if (options.recentCount === 0 || !recent.covers(epoch, after)) return undefined;
    // A publish of this process acknowledged and not yet fed must be in the answer.
    const head = feed.head();
    if (head.position < feed.highest()) return undefined;
    // What Redis has trimmed by age is not answered here either (its next entry would be too old).
    recent.dropOlderThan(Date.now() - options.maxAgeMs);
    // Exactly Redis's answer only when the window ends at the feed's head (a new epoch with no
    // entry yet has moved the head and not the window).
    const atHead = head.epoch === recent.epoch && head.position === recent.last;
    return atHead && recent.covers(epoch, after) ? recent : undefined;
  }

  return {
    store,
    feed,
    near,

    async nearOnceFed(epoch, after) {
      const behind = options.recentCount > 0 && recent.covers(epoch, after) && feed.head().position < feed.highest();
      if (!behind || !(await feed.caughtUp(options.feedWaitMs))) return undefined;
      return near(epoch, after);
    },

    async history(epoch, after, count) {
      const highest = feed.highest();
      let page: HistoryPage;
      try {
        page = await readShared(epoch, after, count);
      } catch (error) {
        log.debug('read failed: %s', (error as Error).message);
        throw unavailable();
      }
      // A shared page may have been read before a publish this process had acknowledged: its
      // reader is told there is more, as if Redis had assigned it when the page was read.
      return page.epoch === feed.head().epoch && page.seq < highest ? { ...page, seq: highest } : page;
    },
  };
}
