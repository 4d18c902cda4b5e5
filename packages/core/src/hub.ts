import type { Broker, LogEntry } from './broker';
import { parseChannel, type ParsedChannel } from './channel';
import { ChannelFilter } from './channel-filter';
import { formatCursor } from './cursor';
import { preflight, withCors } from './cors';
import { cometError, isCometError, type CometError } from './errors';
import type { HubInternals, Lifetime } from './hub-internals';
import { createMemoryBroker } from './memory-broker';
import type { CometHandler, CometRequest, CometResponse } from './neutral';
import { resolveOptions, type CometOptions, type ResolvedOptions } from './options';
import { handlePublish } from './publish-route';
import { parseChannelList, pushRequest, readChannels, type PushRequest } from './push-request';
import { errorResponse } from './responses';
import { createStats, type CometStats } from './stats';
import { Subscriber, type SubscriberHandlers } from './subscriber';
import { SubscriptionIndex } from './subscription-index';
import { TimeoutQueue } from './timeout-queue';
import type { Transport } from './transport';
import { builtinTransports } from './transports';

/** Where a per-route endpoint takes its channels from. */
export type ChannelSource =
  /** A template filled from route parameters: `'orders/:id'` with `params.id = 42` → `orders/42`. */
  | string
  /** A function of the request (use `request.params`, or `request.raw` for the framework's own). */
  | ((request: CometRequest) => string | readonly string[]);

/** Options of {@link CometHub.endpoint}. */
export interface EndpointOptions {
  /** Transport name (`poll`, …). Default `poll`. */
  transport?: string;
  /** The channel(s) this endpoint serves; the client cannot choose others. */
  channel: ChannelSource;
}

/** Result of a publish. */
export interface PublishResult {
  /** The cursor of the published message. */
  cursor: string;
}

/** A Comet hub: build it once, mount it in any number of apps, publish from app code. */
export interface CometHub {
  /** Handles every route under a mount point (`{mount}/poll`, `{mount}/publish`, …). */
  readonly handle: CometHandler;
  /** A handler for one push route whose channels come from the route, not the client. */
  endpoint(options: EndpointOptions): CometHandler;
  /** Publishes `data` (any JSON value) to one exact channel. Throws a CometError for a bad channel. */
  publish(channel: string, data: unknown): Promise<PublishResult>;
  /** A snapshot of the hub's counters. */
  stats(): CometStats;
  /**
   * Graceful shutdown: refuses new requests (503), ends every held request so its client resumes
   * elsewhere with its cursor, and resolves once all are released or `closeTimeoutMs` has passed.
   */
  close(): Promise<void>;
  /** The options in force, defaults filled in. */
  readonly options: ResolvedOptions;
}

/** Builds a hub. With no broker given it uses an in-memory one (one process). */
export function createComet(options: CometOptions = {}): CometHub {
  const resolved = resolveOptions(options);
  const ownBroker = !options.broker;
  const broker: Broker = options.broker ?? createMemoryBroker(options.history);
  const stats = createStats();
  const index = new SubscriptionIndex<Subscriber>();
  const held = new Set<Subscriber>();
  const aborts = new Map<Subscriber, () => void>();
  const lifetimes = new Map<string, TimeoutQueue<Subscriber>>();
  const transports = new Map<string, Transport>(builtinTransports.map((t) => [t.name, t]));
  const dirty = new Set<Subscriber>();
  let flushScheduled = false;
  let closing: Promise<void> | undefined;
  let dispatched = broker.head();
  const heartbeatTicks = new Set<(now: number) => void>();
  let heartbeatTimer: NodeJS.Timeout | undefined;

  const stopListening = broker.onEntry((entry: LogEntry) => {
    dispatched = { epoch: entry.epoch, position: entry.position };
    index.forEachMatch(entry.segments, (subscriber) => subscriber.push(entry));
  });

  function flushDirty(): void {
    flushScheduled = false;
    const subscribers = [...dirty];
    dirty.clear();
    for (const subscriber of subscribers) subscriber.flush();
  }

  // Live entries are handed over once per event-loop turn, so a burst becomes one batch per client.
  function markDirty(subscriber: Subscriber): void {
    dirty.add(subscriber);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushDirty);
    }
  }

  function lifetimeQueue(lifetime: Lifetime): TimeoutQueue<Subscriber> {
    const key = `${lifetime.reason}:${lifetime.ms}`;
    let queue = lifetimes.get(key);
    if (!queue) {
      queue = new TimeoutQueue<Subscriber>(lifetime.ms, (subscriber) => {
        if (lifetime.reason === 'timeout') stats.timeouts++;
        subscriber.flush();
        subscriber.end(lifetime.reason);
      });
      lifetimes.set(key, queue);
    }
    return queue;
  }

  function release(subscriber: Subscriber): void {
    if (!subscriber.markClosed()) return;
    for (const channel of subscriber.channels) index.remove(channel.segments, subscriber);
    for (const queue of lifetimes.values()) queue.delete(subscriber);
    dirty.delete(subscriber);
    held.delete(subscriber);
    aborts.get(subscriber)?.();
    aborts.delete(subscriber);
    stats.connections--;
    stats.connectionsByTransport[subscriber.transport]!--;
  }

  async function readHistory(subscriber: Subscriber, push: PushRequest, readAll: boolean): Promise<void> {
    let cursor = push.cursor;
    for (;;) {
      const result = await broker.read(cursor, subscriber.filter, resolved.batchLimit);
      if (subscriber.isClosed) return;
      subscriber.takeRead(result, push.sentCursor);
      if (subscriber.isClosed) return;
      if (!result.more || (!readAll && result.entries.length > 0)) break;
      cursor = { epoch: result.epoch, position: result.position };
    }
    subscriber.goLive();
  }

  const internals: HubInternals = {
    options: resolved,
    stats,
    subscribe(transport, push, handlers, signal, lifetime, readAll) {
      const counted: SubscriberHandlers = {
        batch(batch) {
          stats.delivered += batch.entries.length;
          if (batch.gap) stats.gaps++;
          handlers.batch(batch);
        },
        end: handlers.end,
        live: handlers.live,
      };
      const filter = new ChannelFilter(push.channels);
      const subscriber = new Subscriber(transport, push.channels, filter, counted, markDirty);
      held.add(subscriber);
      stats.connections++;
      stats.connectionsByTransport[transport] = (stats.connectionsByTransport[transport] ?? 0) + 1;
      for (const channel of push.channels) index.add(channel.segments, subscriber);
      const onAbort = (): void => release(subscriber);
      signal.addEventListener('abort', onAbort, { once: true });
      aborts.set(subscriber, () => signal.removeEventListener('abort', onAbort));
      lifetimeQueue(lifetime).add(subscriber);
      readHistory(subscriber, push, readAll).catch(() => subscriber.end('error'));
      return subscriber;
    },
    release,
    cursorOf(subscriber) {
      const caughtUp = subscriber.isLive && !subscriber.hasPending && dispatched.epoch === subscriber.epoch;
      const position = caughtUp ? Math.max(subscriber.position, dispatched.position) : subscriber.position;
      return formatCursor({ epoch: subscriber.epoch || broker.head().epoch, position });
    },
    onHeartbeatTick(tick) {
      heartbeatTicks.add(tick);
      if (!heartbeatTimer) {
        heartbeatTimer = setInterval(() => {
          const now = Date.now();
          for (const each of heartbeatTicks) each(now);
        }, resolved.heartbeatMs / 2);
        heartbeatTimer.unref();
      }
      return () => {
        heartbeatTicks.delete(tick);
        if (heartbeatTicks.size === 0 && heartbeatTimer) {
          clearInterval(heartbeatTimer);
          heartbeatTimer = undefined;
        }
      };
    },
  };

  function refuse(error: CometError, transport: Transport | undefined, request: CometRequest): CometResponse {
    stats.errors++;
    return transport?.errorResponse ? transport.errorResponse(error, request) : errorResponse(error);
  }

  async function openPush(
    transport: Transport,
    request: CometRequest,
    channels: readonly ParsedChannel[] | CometError,
  ): Promise<CometResponse> {
    if (closing) return refuse(cometError('closing', 'The server is shutting down; try again.'), transport, request);
    if (request.method !== 'GET') {
      return refuse(cometError('method_not_allowed', `Use GET for ${transport.name}.`), transport, request);
    }
    const invalid = transport.checkRequest?.(request);
    if (invalid) return refuse(invalid, undefined, request);
    if (isCometError(channels)) return refuse(channels, transport, request);
    const push = pushRequest(channels, transport.readCursor ? transport.readCursor(request) : request.query.get('cursor'));
    if (isCometError(push)) return refuse(push, transport, request);
    if (stats.connections >= resolved.maxConnections) {
      return refuse(cometError('too_many_connections', 'Too many open connections; retry later.'), transport, request);
    }
    const allowed = await resolved.authorize('subscribe', { channels: channels.map((c) => c.name), request });
    if (!allowed) return refuse(cometError('forbidden', 'Not allowed to subscribe to these channels.'), transport, request);
    return transport.open({ request, push, hub: internals });
  }

  async function route(request: CometRequest): Promise<CometResponse> {
    if (request.method === 'OPTIONS') return preflight(request, resolved);
    const name = request.path.replace(/^\/+|\/+$/g, '');
    if (name === 'publish') {
      if (closing) return refuse(cometError('closing', 'The server is shutting down; try again.'), undefined, request);
      const answer = await handlePublish(request, resolved, publishParsed);
      if (answer.status >= 400) stats.errors++;
      return answer;
    }
    const transport = transports.get(name);
    if (!transport) {
      return refuse(cometError('not_found', `No Comet route at "${request.path}".`), undefined, request);
    }
    return openPush(transport, request, readChannels(request.query, resolved.maxChannels));
  }

  const handle: CometHandler = async (request) => withCors(await route(request), request, resolved);

  async function publishParsed(channel: ParsedChannel, data: unknown): Promise<LogEntry> {
    const payload = JSON.stringify(data);
    if (payload === undefined) throw cometError('bad_request', 'Message data must be a JSON value.');
    const entry = await broker.publish(channel.name, channel.segments, payload);
    stats.published++;
    return entry;
  }

  return {
    handle,
    options: resolved,
    endpoint(endpointOptions) {
      const transport = transports.get(endpointOptions.transport ?? 'poll');
      if (!transport) throw new TypeError(`cometkit: unknown transport "${endpointOptions.transport}"`);
      return async (request) => {
        if (request.method === 'OPTIONS') return preflight(request, resolved);
        const channels = endpointChannels(endpointOptions.channel, request, resolved);
        return withCors(await openPush(transport, request, channels), request, resolved);
      };
    },
    async publish(channel, data) {
      const parsed = parseChannel(channel, false);
      if (isCometError(parsed)) throw parsed;
      const entry = await publishParsed(parsed, data);
      return { cursor: entry.cursor };
    },
    stats: () => ({ ...stats, connectionsByTransport: { ...stats.connectionsByTransport } }),
    close() {
      closing ??= (async () => {
        for (const subscriber of [...held]) {
          subscriber.flush();
          subscriber.end('closing');
        }
        const deadline = Date.now() + resolved.closeTimeoutMs;
        while (held.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        for (const subscriber of [...held]) release(subscriber);
        for (const queue of lifetimes.values()) queue.clear();
        stopListening();
        if (ownBroker) await broker.close();
      })();
      return closing;
    },
  };
}

function endpointChannels(
  source: ChannelSource,
  request: CometRequest,
  options: ResolvedOptions,
): ParsedChannel[] | CometError {
  if (typeof source === 'function') {
    const names = source(request);
    return parseChannelList(typeof names === 'string' ? [names] : names, options.maxChannels);
  }
  let missing: string | undefined;
  const name = source.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, key: string) => {
    const value = request.params[key];
    if (value === undefined) missing = key;
    return value ?? '';
  });
  if (missing !== undefined) return cometError('bad_request', `The route has no parameter "${missing}".`);
  return parseChannelList([name], options.maxChannels);
}
