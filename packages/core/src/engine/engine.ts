import type { Broker, LogEntry } from '../log/broker';
import type { ParsedChannel } from '../log/channel';
import { badCursor, formatCursor, type Cursor } from '../log/cursor';
import { withPositions } from '../log/log-entry';
import { cometError, type CometError } from '../errors';
import { HeartbeatTimer, type HeartbeatSet } from './heartbeat-timer';
import type { CometRequest } from '../neutral';
import type { AuthorizeAction, AuthorizeContext, EngineSettings } from './settings';
import { createLog, type Log } from '../diagnostics';
import { createStats, type CometStats } from './stats';
import { SubscriptionIndex } from './subscription-index';
import { Admission } from './admission';
import { DeadlineQueue } from './deadline-queue';
import { Subscriber, type EndReason, type Lifetime, type SubscriberHandlers, type SubscriberHost } from './subscriber';
import { groupKey, SubscriberGroup } from './subscriber-group';
import { atOrAhead, raiseTo, samePositions, sumOf } from './vector';

/** What an entry point asks the engine for when it subscribes one client. */
export interface SubscribeSpec {
  /** The entry point's name (`poll`, `sse`, `bayeux`, …): counted per name in the stats. */
  readonly transport: string;
  /** Channels and patterns, parsed. */
  readonly channels: readonly ParsedChannel[];
  /** Where to resume; undefined means "from now". */
  readonly cursor?: Cursor;
  /** The cursor text as the client sent it, reported back in a gap. */
  readonly sentCursor?: string;
  /** The request behind it (for `authorize`) and its abort signal (ends it as `gone`). */
  readonly request: CometRequest;
  readonly signal?: CometRequest['signal'];
  readonly handlers: SubscriberHandlers;
  /** When and why it ends by itself: a hold (`timeout`) or a maximum age (`age`). */
  readonly lifetime: Lifetime;
  /** One-batch: end (`done`) once a batch was handed over. Default false: stream until ended. */
  readonly once?: boolean;
  /**
   * Defer the history read until `subscriber.begin()`: a stream subscribes (and is admitted)
   * before its response starts, but may write only once it has.
   */
  readonly deferRead?: boolean;
  /** More for `authorize` (a Bayeux session, its `ext`). */
  readonly context?: Partial<AuthorizeContext>;
}

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
   * values: `closing`, `too_many_connections` (requests still awaiting `authorize` count),
   * `forbidden`, or `bad_request` when the client left while being authorized.
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

/** How long entries may wait for the per-turn flush before the next entry dispatched flushes them. */
export const MAX_FLUSH_WAIT_MS = 50;

/** How many groups left empty are kept (indexed) for a subscriber of their channel list to come back. */
export const MAX_EMPTY_GROUPS = 1_000;

/** Builds the engine over a broker. */
export function createEngine({ broker, options, log = createLog('engine', options.logger) }: EngineOptions): Engine {
  const stats = createStats();
  // The index holds groups of subscribers of one channel list: an entry is matched once per group.
  const index = new SubscriptionIndex<SubscriberGroup>();
  const groups = new Map<string, SubscriberGroup>();
  const held = new Set<Subscriber>();
  const dirty = new Set<{ flush(): void }>();
  const lifetimes = new DeadlineQueue<Subscriber>((subscriber) => subscriber.expire());
  // Intervals come from transports' declared rules, never from clients: a handful at most.
  const heartbeatTimers = new Map<number, HeartbeatTimer>();
  /** Something is dirty and waits for a flush. */
  let flushScheduled = false;
  /** When it began to wait (ms), to tell a starved flush. */
  let flushScheduledAt = 0;
  /**
   * The end-of-turn flush is queued. It stays queued when a flush comes earlier (a starved one, a
   * fed batch): what is marked after that goes out with it, and no second one is queued.
   */
  let immediateQueued = false;
  let fedFlushQueued = false;
  let closing: Promise<void> | undefined;
  let dispatched = broker.head();
  // A partitioned log: the position this process has dispatched in each partition (its own copy,
  // moved in place). Undefined with one partition, whose path stays as it always was.
  const partitions = broker.partitions ?? 1;
  const dispatchedPositions = partitions > 1 ? Array.from({ length: partitions }, (_, i) => dispatched.positions?.[i] ?? 0) : undefined;

  function readAll(): void {
    for (const subscriber of held) if (subscriber.generation > 0) subscriber.reread();
  }

  const stopListening = broker.onEntry((entry: LogEntry) => {
    // Under a flood of I/O the event loop can run for hundreds of milliseconds before it reaches
    // its `setImmediate` phase (libuv polls again while events keep coming): what waits for that
    // flush goes out now, before a later entry joins it.
    if (flushScheduled && Date.now() - flushScheduledAt > MAX_FLUSH_WAIT_MS) flushDirty();
    if (dispatchedPositions) return dispatchVector(entry, dispatchedPositions);
    const hole = entry.epoch === dispatched.epoch && entry.position !== dispatched.position + 1;
    if (hole && entry.position <= dispatched.position) return; // seen already (a feed that replays)
    dispatched = { epoch: entry.epoch, position: entry.position };
    if (hole) {
      // The feed skipped entries: every subscriber that has begun reading reads them from history
      // instead (those still reading too: their read may have been answered before the missing
      // entries). `dispatched` moved first, so none of them takes itself for caught up.
      log.debug('feed skipped to %d; subscribers read history', entry.position);
      readAll();
    }
    index.forEachMatch(entry.segments, (group) => group.push(entry));
  }, batchFed);

  /**
   * The broker's feed brought a batch whole: it goes out once the callback that read it returns
   * (one flush for every batch of that read), not at the end of the turn. Under load the turn's
   * end is a whole poll phase away, and the batch already waited a round trip to the broker.
   */
  function batchFed(): void {
    if (fedFlushQueued) return;
    fedFlushQueued = true;
    queueMicrotask(() => {
      fedFlushQueued = false;
      if (flushScheduled) flushDirty();
    });
  }

  /** The same for a partitioned log: holes and replays are per partition. */
  function dispatchVector(entry: LogEntry, positions: number[]): void {
    let hole = false;
    if (entry.epoch === dispatched.epoch) {
      const last = positions[entry.partition]!;
      if (entry.position <= last) return;
      hole = entry.position !== last + 1;
      positions[entry.partition] = entry.position;
    } else {
      // A new log: where its other partitions stand is the broker's to say.
      const head = entry.positions ?? broker.head().positions ?? [];
      for (let i = 0; i < positions.length; i++) positions[i] = head[i] ?? 0;
      positions[entry.partition] = entry.position;
      dispatched = { epoch: entry.epoch, position: 0, positions };
    }
    // A fed entry's cursor must name what a caught-up reader has seen with it: this process's head.
    const live = entry.positions && samePositions(entry.positions, positions) ? entry : withPositions(entry, positions.slice());
    if (hole) {
      log.debug('feed skipped to %d in partition %d; subscribers read history', entry.position, entry.partition);
      readAll();
    }
    index.forEachMatch(entry.segments, (group) => group.push(live));
  }

  /** Where "from now" is, as a cursor of its own (the engine's copy moves in place). */
  function head(): Cursor {
    if (!dispatchedPositions) return { ...dispatched };
    return { epoch: dispatched.epoch, position: sumOf(dispatchedPositions), positions: dispatchedPositions.slice() };
  }
  if (dispatchedPositions) dispatched = { epoch: dispatched.epoch, position: 0, positions: dispatchedPositions };

  function flushAtTurnEnd(): void {
    immediateQueued = false;
    flushDirty();
  }

  function flushDirty(): void {
    flushScheduled = false;
    const targets = [...dirty];
    dirty.clear();
    for (const target of targets) target.flush();
  }

  /** The subscriber joins the group of its channel list (made, and indexed, for the first one). */
  function join(subscriber: Subscriber, channels: readonly ParsedChannel[]): void {
    const key = groupKey(channels);
    let group = groups.get(key);
    if (!group) {
      groups.set(key, (group = new SubscriberGroup(key, channels, host)));
      for (const channel of channels) index.add(channel.segments, group);
    }
    emptied.delete(group);
    group.add(subscriber);
    subscriber.group = group;
  }

  // Groups left empty are kept (the last MAX_EMPTY_GROUPS of them, oldest dropped first): a
  // long-poll client polls again right after each answer, often when no one else holds its list,
  // and would otherwise make (and index) its group anew every cycle.
  const emptied = new Set<SubscriberGroup>();
  function drop(group: SubscriberGroup): void {
    groups.delete(group.key);
    dirty.delete(group);
    for (const channel of group.channels) index.remove(channel.segments, group);
  }

  function leave(subscriber: Subscriber): void {
    const { group } = subscriber;
    group.remove(subscriber);
    if (group.size > 0) return;
    emptied.add(group);
    if (emptied.size <= MAX_EMPTY_GROUPS) return;
    const oldest = emptied.values().next().value!;
    emptied.delete(oldest);
    drop(oldest);
  }

  function cursorOf(subscriber: Subscriber): string {
    // Ended before its first read: it has seen nothing beyond where it started.
    if (!subscriber.hasRead) return subscriber.readFromText;
    const caughtUp = subscriber.isLive && !subscriber.hasPending && dispatched.epoch === subscriber.epoch;
    const vector = subscriber.vector;
    if (vector) {
      const positions = vector.slice();
      if (caughtUp && dispatchedPositions) raiseTo(positions, dispatchedPositions);
      return formatCursor({ epoch: subscriber.epoch, position: sumOf(positions), positions });
    }
    const position = caughtUp ? Math.max(subscriber.position, dispatched.position) : subscriber.position;
    return formatCursor({ epoch: subscriber.epoch, position });
  }

  async function readHistory(subscriber: Subscriber): Promise<void> {
    const generation = ++subscriber.generation;
    const stale = (): boolean => subscriber.isClosed || subscriber.generation !== generation;
    let cursor: Cursor = subscriber.readFrom;
    for (;;) {
      const result = await broker.read(cursor, subscriber.filter, options.batchLimit);
      if (stale()) return;
      subscriber.takeRead(result);
      if (stale() || !result.more) break;
      cursor = result.positions ? { epoch: result.epoch, position: result.position, positions: result.positions } : { epoch: result.epoch, position: result.position };
      const paced = subscriber.handlers.pace?.();
      if (paced) await paced;
      if (stale()) return;
    }
    if (!stale()) subscriber.goLive();
  }

  // Whether the last history read failed: the first failure of an outage is an error, the rest debug.
  let readsFailing = false;
  const readsWork = (): void => {
    if (!readsFailing) return;
    readsFailing = false;
    log.error('history reads work again');
  };

  const host: SubscriberHost = {
    batchLimit: options.batchLimit,
    partitions,
    markDirty(target) {
      dirty.add(target);
      // Live entries are handed over once per event-loop turn, so a burst becomes one batch per client.
      if (!flushScheduled) {
        flushScheduled = true;
        flushScheduledAt = Date.now();
        if (!immediateQueued) {
          immediateQueued = true;
          setImmediate(flushAtTurnEnd);
        }
      }
    },
    read(subscriber) {
      const from = subscriber.readFrom;
      const caughtUp = dispatchedPositions
        ? from.positions !== undefined && atOrAhead(from.positions, dispatchedPositions)
        : from.position >= dispatched.position;
      if (from.epoch === dispatched.epoch && caughtUp) {
        // Caught up already (a client polling again with the cursor it was just given, or one
        // from a process that is ahead): history holds nothing this process has not dispatched,
        // and whatever comes next reaches the subscriber through the feed it is already in. So
        // no read, no promise: the common long-poll cycle costs no broker round trip.
        subscriber.generation++;
        subscriber.takeRead(
          from.positions
            ? { epoch: from.epoch, entries: [], position: from.position, positions: from.positions, more: false }
            : { epoch: from.epoch, entries: [], position: from.position, more: false },
        );
        subscriber.goLive();
        return;
      }
      readHistory(subscriber).then(readsWork, (error: unknown) => {
        // The client retries (a poll gets 503, a stream ends); the operator should hear of it,
        // once per outage: every held client fails the same way, and retries.
        if (readsFailing) log.debug('history read failed for a %s subscriber: %O', subscriber.transport, error);
        else log.error('history read failed for a %s subscriber (further failures are logged at debug level until a read works): %O', subscriber.transport, error);
        readsFailing = true;
        stats.brokerErrors++;
        subscriber.end('error');
      });
    },
    regroup(subscriber, channels) {
      leave(subscriber);
      join(subscriber, channels);
    },
    release(subscriber, reason: EndReason) {
      const cursor = cursorOf(subscriber);
      leave(subscriber);
      lifetimes.delete(subscriber);
      dirty.delete(subscriber);
      held.delete(subscriber);
      stats.connections--;
      stats.connectionsByTransport[subscriber.transport]!--;
      if (reason === 'timeout') stats.timeouts++;
      else if (reason === 'slow') stats.slowClientCutoffs++;
      return cursor;
    },
    delivered(count, gap) {
      stats.delivered += count;
      if (gap) stats.gaps++;
    },
  };

  function register(spec: SubscribeSpec): Subscriber {
    // "From now" means from this moment, whatever the time the read takes.
    const from = spec.cursor ?? (dispatchedPositions ? head() : dispatched);
    const fromText = spec.sentCursor ?? formatCursor(from);
    const subscriber = new Subscriber(spec.transport, spec.channels, from, fromText, spec.lifetime, spec.once ?? false, spec.handlers, host);
    held.add(subscriber);
    stats.connections++;
    stats.connectionsByTransport[spec.transport] = (stats.connectionsByTransport[spec.transport] ?? 0) + 1;
    join(subscriber, spec.channels);
    if (spec.signal) subscriber.watch(spec.signal);
    if (spec.lifetime.ms > 0) lifetimes.add(subscriber, spec.lifetime.ms);
    if (!spec.deferRead) host.read(subscriber);
    return subscriber;
  }

  const admission = new Admission(options, () => stats.connections, () => closing !== undefined, register);

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
      if (!dispatchedPositions && spec.cursor?.positions) return badCursor();
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
    head,
    stats: () => ({ ...stats, connectionsByTransport: { ...stats.connectionsByTransport } }),
    countError() {
      stats.errors++;
    },
    close() {
      closing ??= (async () => {
        for (const subscriber of [...held]) subscriber.expire('closing');
        // Requests still being authorized are refused when their verdict comes; wait for them.
        await admission.settle(options.closeTimeoutMs);
        for (const subscriber of [...held]) subscriber.end('closing');
        lifetimes.clear();
        for (const timer of heartbeatTimers.values()) timer.clear();
        for (const group of emptied) drop(group);
        emptied.clear();
        stopListening();
      })();
      return closing;
    },
  };
}
