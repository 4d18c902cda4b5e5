import type { Broker, LogEntry } from '../log/broker';
import type { ParsedChannel } from '../log/channel';
import { badCursor, type Cursor } from '../log/cursor';
import { cometError, type CometError } from '../errors';
import { createLog, type Log } from '../diagnostics';
import { Admission } from './admission';
import { listenToFeed } from './dispatch';
import { FlushSchedule } from './flush-schedule';
import { GroupRegistry } from './group-registry';
import { HeartbeatTimer, type HeartbeatSet } from './heartbeat-timer';
import { HistoryReader } from './history-reader';
import { DispatchHead } from './log-position';
import type { AuthorizeAction, AuthorizeContext, EngineSettings } from './settings';
import { createStats, type CometStats } from './stats';
import type { Subscriber } from './subscriber';
import type { SubscriberGroup } from './subscriber-group';
import { SubscriberRegistry } from './subscriber-registry';
import { SubscriptionIndex } from './subscription-index';
import type { SubscribeSpec } from './types';

export type { SubscribeSpec } from './types';
export { MAX_FLUSH_WAIT_MS } from './flush-schedule';
export { MAX_EMPTY_GROUP_BYTES, MAX_EMPTY_GROUPS } from './group-registry';

/**
 * The fan-out engine every entry point plugs into: subscribing (with admission: shutdown, the
 * connection limit, `authorize`), dispatch of the broker's entries to matching subscribers,
 * batching per event-loop turn, lifetimes, release, cursors and shutdown. It never sees HTTP.
 */
export interface Engine {
  readonly options: EngineSettings;
  /** True once `close()` began. */
  readonly closing: boolean;
  /** The heartbeat timer for streams of one interval (one timer per interval in use, not per stream). */
  heartbeats(intervalMs: number): HeartbeatSet;
  /**
   * Admits and registers a subscriber, then reads its history after `spec.cursor`. Refusals are
   * values: `bad_cursor`, `closing`, `too_many_connections` (requests still awaiting `authorize`
   * count), `forbidden`, or `bad_request` when the client left while being authorized. A promise
   * only when an `authorize` hook answers with one, or fails; never a throw: an `authorize` hook
   * that throws (or rejects) gives a rejected promise.
   */
  subscribe(spec: SubscribeSpec): Subscriber | CometError | Promise<Subscriber | CometError>;
  /** `authorize` as configured, for entry points that check more actions (a resubscribe, a handshake). */
  authorize(action: AuthorizeAction, context: AuthorizeContext): boolean | Promise<boolean>;
  /** Appends a message to an exact channel. Rejects with `bad_request` for data that is no JSON value. */
  publish(channel: ParsedChannel, data: unknown): Promise<LogEntry>;
  /** Where "from now" is: the last entry this process dispatched. */
  head(): Cursor;
  /** A snapshot of the counters. */
  stats(): CometStats;
  /** Counts a refused request (the routers call it). */
  countError(): void;
  /** Ends every subscriber (`closing`), refuses new ones, and resolves once none is left to admit. */
  close(): Promise<void>;
}

/** What {@link createEngine} needs. */
export interface EngineOptions {
  readonly broker: Broker;
  readonly options: EngineSettings;
  /** Where the engine reports what it notices (a broker read failing, a hole in the feed). */
  readonly log?: Log;
}

/**
 * Builds the engine over a broker: wires its parts together. Where an entry goes once the broker
 * feeds it: `dispatch.ts` (the head moves, `log-position.ts`; the index finds the groups of its
 * channels), `subscriber-group.ts` and `subscriber.ts` (queued per group or per subscriber),
 * `flush-schedule.ts` (handed over once per turn). Where a subscriber's history comes from:
 * `history-reader.ts`. Who may subscribe: `admission.ts`; what is held and released:
 * `subscriber-registry.ts`; the groups: `group-registry.ts`.
 */
export function createEngine({ broker, options, log = createLog('engine', options.logger) }: EngineOptions): Engine {
  const stats = createStats();
  const partitions = broker.partitions ?? 1;
  // Where this process's dispatch stands: the last entry fed, moved in place.
  const head = new DispatchHead(partitions, broker.head());
  const flushes = new FlushSchedule();
  // The index holds groups of subscribers of one channel list: an entry is matched once per group.
  const index = new SubscriptionIndex<SubscriberGroup>();
  const { batchLimit, maxBatchBytes } = options;
  const groups = new GroupRegistry(index, { batchLimit, maxBatchBytes, canShare: partitions === 1, flushes });
  const reader = new HistoryReader(broker, batchLimit, maxBatchBytes, head, stats, log);
  const subscribers = new SubscriberRegistry(
    {
      batchLimit,
      maxBatchBytes,
      partitions,
      head,
      flushes,
      groups,
      read: (subscriber) => reader.read(subscriber),
      delivered(count, gap) {
        stats.delivered += count;
        if (gap) stats.gaps++;
      },
    },
    stats,
  );
  const stopListening = listenToFeed(broker, head, index, subscribers, flushes, log);
  let closing: Promise<void> | undefined;
  const admission = new Admission(
    options,
    () => stats.connections,
    () => closing !== undefined,
    (spec, identity) => subscribers.register(spec, identity),
  );
  // Intervals come from transports' declared rules, never from clients: a handful at most.
  const heartbeatTimers = new Map<number, HeartbeatTimer>();

  return {
    options,
    get closing() {
      return closing !== undefined;
    },
    heartbeats(intervalMs) {
      let timer = heartbeatTimers.get(intervalMs);
      if (!timer) heartbeatTimers.set(intervalMs, (timer = new HeartbeatTimer(intervalMs)));
      return timer;
    },
    subscribe: (spec) => {
      // A cursor of several positions cannot belong to a log of one (a log of several tells a
      // cursor of another shape by its epoch: a gap).
      if (partitions === 1 && spec.cursor?.positions) return badCursor();
      return admission.admit(spec);
    },
    authorize: (action, context) => options.authorize(action, context),
    async publish(channel, data) {
      let payload: string | undefined;
      try {
        payload = JSON.stringify(data);
      } catch {
        // Too deep to serialise, or a cycle: the caller's data, not an outage.
        throw cometError('bad_request', 'Message data cannot be serialised as JSON (nested too deeply?).');
      }
      if (payload === undefined) throw cometError('bad_request', 'Message data must be a JSON value.');
      const entry = await broker.publish(channel.name, channel.segments, payload);
      stats.published++;
      return entry;
    },
    head: () => head.cursor(),
    stats: () => ({ ...stats, connectionsByTransport: { ...stats.connectionsByTransport } }),
    countError() {
      stats.errors++;
    },
    close() {
      closing ??= (async () => {
        subscribers.expireAll('closing');
        // Requests still being authorized are refused when their verdict comes; wait for them.
        await admission.settle(options.closeTimeoutMs);
        subscribers.endAll('closing');
        for (const timer of heartbeatTimers.values()) timer.clear();
        groups.dropEmpty();
        stopListening();
      })();
      return closing;
    },
  };
}
