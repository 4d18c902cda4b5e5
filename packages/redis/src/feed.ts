import type { Log, LogEntry } from '@cometkit/core/kit';
import type { Link } from './connections';
import { fromFeed, fromStream } from './entries';
import type { LogStore } from './log-store';

/** This process's one view of the log's progress: every entry, in order, to `dispatch`. */
export interface Feed {
  /** The last entry dispatched (where "from now" starts). */
  head(): { epoch: string; position: number };
  /** Reads what was missed since the last entry dispatched, unless a read is under way. */
  catchUp(): void;
  /** The highest position of the head's epoch this process knows was assigned (by its own publishes too). */
  highest(): number;
  /** Also counts a position a publish of this process was given (to notice a rolled-back log). */
  sawPosition(epoch: string, position: number): void;
  /**
   * Resolves true once the feed has dispatched everything this process knows was assigned
   * ({@link highest}, as it is now); false if the epoch changes, the feed closes, or `withinMs` passes first.
   */
  caughtUp(withinMs: number): Promise<boolean>;
  close(): void;
}

/** What {@link createFeed} needs. */
export interface FeedOptions {
  /** The dedicated pub/sub connection, already subscribed to `channel`. */
  subscriber: Link;
  channel: string;
  /** The event its messages arrive as: `message`, or `smessage` for a shard channel. */
  event: 'message' | 'smessage';
  store: LogStore;
  start: { epoch: string; position: number };
  backfillCount: number;
  checkIntervalMs: number;
  /** Delay before a failed backfill is tried again. */
  retryMs: number;
  dispatch(entry: LogEntry): void;
  /** After the entries of one feed message, or of one page of a backfill, were dispatched. */
  batchEnd(): void;
  /** Checks the feed's own connection is alive, on each idle check. */
  probe(): void;
  log: Log;
}

/**
 * One wake-up feed per process: Redis pub/sub carries each entry in full, so a feed in step
 * dispatches it with no read. Anything else (a hole, another epoch, a resubscribe after a lost
 * connection, an idle check) is caught up by range reads from the last position dispatched, one
 * read at a time; messages arriving meanwhile only ask for one more read. So the feed never skips
 * silently, and Redis work per publish is one PUBLISH per process, whatever the subscribers.
 */
export function createFeed(options: FeedOptions): Feed {
  const { subscriber, channel, store, dispatch, log } = options;
  let dispatched = { ...options.start };
  // The highest position of the current epoch this process knows was assigned: a log whose seq is
  // below it lost entries (a restart from an older snapshot) and must not reuse their positions.
  let highest = dispatched.position;
  let reading = false;
  let again = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let lastActivity = Date.now();
  // Readers waiting for the feed to bring a position (in the order they came: targets never fall
  // within an epoch, so the front is always the first to be reached).
  let waiters: { epoch: string; position: number; settle(fed: boolean): void }[] = [];

  function settleWaiters(): void {
    let reached = 0;
    while (reached < waiters.length) {
      const waiter = waiters[reached]!;
      if (waiter.epoch === dispatched.epoch && waiter.position > dispatched.position) break;
      waiter.settle(waiter.epoch === dispatched.epoch);
      reached++;
    }
    if (reached > 0) waiters = waiters.slice(reached);
  }

  function deliver(entry: LogEntry): void {
    if (entry.epoch !== dispatched.epoch) highest = 0;
    dispatched = { epoch: entry.epoch, position: entry.position };
    highest = Math.max(highest, entry.position);
    dispatch(entry);
    if (waiters.length > 0) settleWaiters();
  }

  function onMessage(from: string, text: string): void {
    if (from !== channel || closed) return;
    lastActivity = Date.now();
    if (reading) {
      again = true;
      return;
    }
    const entries = fromFeed(text);
    if (entries && entries[0]!.epoch === dispatched.epoch) {
      const first = entries[0]!.position;
      if (first + entries.length - 1 <= dispatched.position) return; // seen already
      if (first <= dispatched.position + 1) {
        // In step (a backfill may have read the start of this batch already).
        for (const entry of entries) if (entry.position === dispatched.position + 1) deliver(entry);
        options.batchEnd();
        return;
      }
    }
    catchUp();
  }

  async function readMissed(): Promise<void> {
    for (;;) {
      const range = await store.range(dispatched.epoch, dispatched.position, options.backfillCount);
      if (closed) return;
      if (range.epoch === dispatched.epoch && range.seq < highest) {
        // The log went back in time under the same epoch: its next positions would name entries
        // clients have already seen. A new epoch gives every old cursor the gap instead.
        log.error('the Redis log lost entries (seq %d, this process saw %d): starting a new epoch', range.seq, highest);
        await store.renew(range.epoch);
        continue;
      }
      if (range.epoch !== dispatched.epoch) {
        log.debug('the Redis log has a new epoch %s (was %s)', range.epoch, dispatched.epoch);
        dispatched = { epoch: range.epoch, position: range.after };
        highest = range.after;
        settleWaiters();
      }
      for (const raw of range.entries) deliver(fromStream(range.epoch, raw));
      if (range.entries.length > 0) options.batchEnd();
      if (range.entries.length === 0 || dispatched.position >= range.seq) return;
    }
  }

  function catchUp(): void {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    clearTimeout(retry);
    void (async () => {
      try {
        do {
          again = false;
          await readMissed();
        } while (again && !closed);
      } catch (error) {
        // Redis is away or slow: try again shortly; the pub/sub connection reconnects by itself.
        log.debug('feed backfill failed, retrying: %s', (error as Error).message);
        if (!closed) retry = setTimeout(catchUp, options.retryMs).unref();
      } finally {
        reading = false;
      }
    })();
  }

  subscriber.on(options.event, onMessage);
  // An idle feed makes sure now and then that nothing slipped by (a lost message has no sign of its own).
  const check = setInterval(() => {
    if (Date.now() - lastActivity < options.checkIntervalMs) return;
    options.probe();
    catchUp();
  }, options.checkIntervalMs).unref();

  return {
    head: () => ({ ...dispatched }),
    highest: () => highest,
    catchUp,
    sawPosition(epoch, position) {
      if (epoch === dispatched.epoch) highest = Math.max(highest, position);
    },
    caughtUp(withinMs) {
      if (closed) return Promise.resolve(false);
      if (dispatched.position >= highest) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          resolve(false);
        }, withinMs).unref();
        const waiter = {
          epoch: dispatched.epoch,
          position: highest,
          settle(fed: boolean): void {
            clearTimeout(timer);
            resolve(fed);
          },
        };
        waiters.push(waiter);
      });
    },
    close() {
      closed = true;
      for (const waiter of waiters) waiter.settle(false);
      waiters = [];
      clearInterval(check);
      clearTimeout(retry);
      subscriber.off(options.event, onMessage);
    },
  };
}
