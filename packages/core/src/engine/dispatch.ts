import type { Broker, LogEntry } from '../log/broker';
import type { Cursor } from '../log/cursor';
import type { Log } from '../diagnostics';
import type { FlushSchedule } from './flush-schedule';
import type { DispatchHead } from './log-position';
import type { SubscriberGroup } from './subscriber-group';
import type { SubscriberRegistry } from './subscriber-registry';
import type { SubscriptionIndex } from './subscription-index';

/**
 * Takes the broker's feed: each entry moves this process's head, then goes to the groups whose
 * channels match it (each queues it for its members, and the flush schedule hands it over). A
 * replayed entry is dropped; after a hole (the feed skipped entries) every subscriber that has
 * begun reading reads the missing ones from history. Returns the function that stops listening.
 */
export function listenToFeed(
  broker: Broker,
  head: DispatchHead,
  index: SubscriptionIndex<SubscriberGroup>,
  subscribers: SubscriberRegistry,
  flushes: FlushSchedule,
  log: Log,
): () => void {
  const brokerHead = (): Cursor => broker.head();
  return broker.onEntry(
    (entry: LogEntry) => {
      // Under a flood of I/O the event loop can run for hundreds of milliseconds before it
      // reaches its `setImmediate` phase: what waits for that flush goes out now, before a later
      // entry joins it.
      flushes.flushIfStarved();
      const step = head.follow(entry, brokerHead);
      if (step === 'seen') return; // a feed that replays
      if (step === 'hole') {
        // Those still reading too: their read may have been answered before the missing entries.
        // The head moved first, so none of them takes itself for caught up.
        log.debug('feed skipped to %d in partition %d; subscribers read history', entry.position, entry.partition);
        subscribers.feedSkipped();
      }
      const live = head.stamp(entry);
      index.forEachMatch(entry.segments, (group) => group.push(live));
    },
    () => flushes.batchFed(),
  );
}
