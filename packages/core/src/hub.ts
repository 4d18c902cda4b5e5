import type { Broker, LogEntry } from './broker';
import { parseChannel, type ParsedChannel } from './channel';
import { ChannelFilter } from './channel-filter';
import { formatCursor, type Cursor } from './cursor';
import { preflight, withCors } from './cors';
import { clientScript } from './client-script';
import { cometError, isCometError, type CometError } from './errors';
import type { HubInternals, Lifetime } from './hub-internals';
import { createMemoryBroker } from './memory-broker';
import type { CometHandler, CometRequest, CometResponse } from './neutral';
import { resolveOptions, type CometOptions, type ResolvedOptions } from './options';
import { handlePublish } from './publish-route';
import { parseChannelList, pushRequest, readChannels } from './push-request';
import { errorResponse } from './responses';
import { createStats, type CometStats } from './stats';
import { Subscriber } from './subscriber';
import { SubscriptionIndex } from './subscription-index';
import { HeartbeatTimer } from './heartbeat-timer';
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
  /**
   * True when `path` (below a mount) names one of the hub's routes. Adapters mounted at the root
   * of an app use it to pass every other path on to the app.
   */
  serves(path: string): boolean;
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
  const lifetimes = new Map<string, TimeoutQueue<Subscriber>>();
  const transports = new Map<string, Transport>(builtinTransports.map((t) => [t.name, t]));
  const routeNames = new Set(['publish', 'client.js', ...transports.keys()]);
  const dirty = new Set<Subscriber>();
  let flushScheduled = false;
  let closing: Promise<void> | undefined;
  let dispatched = broker.head();
  const heartbeats = new HeartbeatTimer(resolved.heartbeatMs);

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

  const host = { stats, markDirty };

  function release(subscriber: Subscriber): void {
    if (!subscriber.markClosed()) return;
    for (const channel of subscriber.channels) index.remove(channel.segments, subscriber);
    subscriber.lifetime?.delete(subscriber);
    dirty.delete(subscriber);
    held.delete(subscriber);
    stats.connections--;
    stats.connectionsByTransport[subscriber.transport]!--;
  }

  async function readHistory(subscriber: Subscriber, from: Cursor, sentCursor: string | undefined, readAll: boolean): Promise<void> {
    let cursor = from;
    for (;;) {
      const result = await broker.read(cursor, subscriber.filter, resolved.batchLimit);
      if (subscriber.isClosed) return;
      subscriber.takeRead(result, sentCursor);
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
      const subscriber = new Subscriber(transport, push.channels, new ChannelFilter(push.channels), handlers, host);
      held.add(subscriber);
      stats.connections++;
      stats.connectionsByTransport[transport] = (stats.connectionsByTransport[transport] ?? 0) + 1;
      for (const channel of push.channels) index.add(channel.segments, subscriber);
      subscriber.watch(signal);
      subscriber.lifetime = lifetimeQueue(lifetime);
      subscriber.lifetime.add(subscriber);
      // "From now" means from this moment, whatever the time the read takes.
      const from = push.cursor ?? broker.head();
      subscriber.startCursor = push.sentCursor ?? formatCursor(from);
      readHistory(subscriber, from, push.sentCursor, readAll).catch(() => subscriber.end('error'));
      return subscriber;
    },
    release,
    cursorOf(subscriber) {
      // Ended before its first read: it has seen nothing beyond where it started.
      if (!subscriber.hasRead) return subscriber.startCursor;
      const caughtUp = subscriber.isLive && !subscriber.hasPending && dispatched.epoch === subscriber.epoch;
      const position = caughtUp ? Math.max(subscriber.position, dispatched.position) : subscriber.position;
      return formatCursor({ epoch: subscriber.epoch, position });
    },
    heartbeats,
  };

  function refuse(error: CometError, transport: Transport | undefined, request: CometRequest): CometResponse {
    stats.errors++;
    return transport?.errorResponse ? transport.errorResponse(error, request) : errorResponse(error);
  }

  // Not async: a held request should not also hold a suspended async frame and its promise.
  /** Requests between the connection-limit check and their subscription (awaiting `authorize`). */
  let authorizing = 0;

  // Not async: a held request should not also hold a suspended async frame and its promise.
  function openPush(
    transport: Transport,
    request: CometRequest,
    channels: readonly ParsedChannel[] | CometError,
  ): CometResponse | Promise<CometResponse> {
    // First, so that every later error can be reported through the transport's own parameters.
    const invalid = transport.checkRequest?.(request);
    if (invalid) return refuse(invalid, undefined, request);
    if (closing) return refuse(cometError('closing', 'The server is shutting down; try again.'), transport, request);
    if (request.method !== 'GET') {
      return refuse(cometError('method_not_allowed', `Use GET for ${transport.name}.`), transport, request);
    }
    if (isCometError(channels)) return refuse(channels, transport, request);
    const push = pushRequest(channels, transport.readCursor ? transport.readCursor(request) : request.query.get('cursor'));
    if (isCometError(push)) return refuse(push, transport, request);
    if (stats.connections + authorizing >= resolved.maxConnections) {
      return refuse(cometError('too_many_connections', 'Too many open connections; retry later.'), transport, request);
    }
    authorizing++;
    const open = (allowed: boolean): CometResponse | Promise<CometResponse> => {
      authorizing--;
      if (!allowed) return refuse(cometError('forbidden', 'Not allowed to subscribe to these channels.'), transport, request);
      // Authorizing may take a while: the hub may have begun closing, or the client left.
      if (closing) return refuse(cometError('closing', 'The server is shutting down; try again.'), transport, request);
      if (request.signal.aborted) return errorResponse(cometError('bad_request', 'The client went away.'));
      return transport.open({ request, push, hub: internals });
    };
    let allowed: boolean | Promise<boolean>;
    try {
      allowed = resolved.authorize('subscribe', { channels: channels.map((c) => c.name), request });
    } catch (error) {
      authorizing--;
      throw error;
    }
    if (typeof allowed === 'boolean') return open(allowed);
    return allowed.then(open, (error: unknown) => {
      authorizing--;
      throw error;
    });
  }

  function route(request: CometRequest): CometResponse | Promise<CometResponse> {
    if (request.method === 'OPTIONS') return preflight(request, resolved);
    const name = routeName(request.path);
    if (name === 'client.js') return clientScript(request);
    if (name === 'publish') {
      if (closing) return refuse(cometError('closing', 'The server is shutting down; try again.'), undefined, request);
      return handlePublish(request, resolved, publishParsed).then((answer) => {
        if (answer.status >= 400) stats.errors++;
        return answer;
      });
    }
    const transport = transports.get(name);
    if (!transport) {
      return refuse(cometError('not_found', `No Comet route at "${request.path}".`), undefined, request);
    }
    return openPush(transport, request, readChannels(request.query, resolved.maxChannels));
  }

  const handle: CometHandler = (request) => respond(route(request), request);

  /** The handler's promise, with CORS headers when configured (no extra promise when not). */
  function respond(response: CometResponse | Promise<CometResponse>, request: CometRequest): Promise<CometResponse> {
    if (!options.cors) return Promise.resolve(response);
    return Promise.resolve(response).then((answer) => withCors(answer, request, resolved));
  }

  async function publishParsed(channel: ParsedChannel, data: unknown): Promise<LogEntry> {
    const payload = JSON.stringify(data);
    if (payload === undefined) throw cometError('bad_request', 'Message data must be a JSON value.');
    const entry = await broker.publish(channel.name, channel.segments, payload);
    stats.published++;
    return entry;
  }

  return {
    handle,
    serves: (path) => routeNames.has(routeName(path)),
    options: resolved,
    endpoint(endpointOptions) {
      const transport = transports.get(endpointOptions.transport ?? 'poll');
      if (!transport) throw new TypeError(`cometkit: unknown transport "${endpointOptions.transport}"`);
      return (request) => {
        if (request.method === 'OPTIONS') return respond(preflight(request, resolved), request);
        const channels = endpointChannels(endpointOptions.channel, request, resolved);
        return respond(openPush(transport, request, channels), request);
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
        heartbeats.clear();
        stopListening();
        if (ownBroker) await broker.close();
      })();
      return closing;
    },
  };
}

/** The route name a path below the mount names: `/poll/` → `poll`. */
function routeName(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
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
  // A route parameter fills exactly one segment: never a wildcard, never a `/`, so the client
  // cannot widen the channel the route stands for.
  let bad: CometError | undefined;
  const name = source.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, key: string) => {
    const value = request.params[key];
    const segment = value === undefined ? undefined : parseChannel(value, false);
    if (value === undefined) bad ??= cometError('bad_request', `The route has no parameter "${key}".`);
    else if (isCometError(segment)) bad ??= segment;
    else if (segment!.segments.length !== 1 || value.includes('/')) {
      bad ??= cometError('bad_channel', `The route parameter "${key}" must be a single channel segment.`);
    }
    return value ?? '';
  });
  if (bad) return bad;
  const parsed = parseChannel(name, /(^|\/)\*\*?(\/|$)/.test(source));
  return isCometError(parsed) ? parsed : [parsed];
}
