import { backoffDelay } from './backoff';
import { canonicalChannel } from '@cometkit/protocol';
import { createEmitter } from './emitter';
import { endpoint } from './endpoint';
import { Resume } from './resume';
import { Selector } from './selector';
import { Subscriptions } from './subscriptions';
import { DEFAULT_ORDER, transports } from './transports';
import { publishTo } from './publish';
import { shareClient } from './share/share-client';
import type { Failure, Frame, Stop, Transport } from './transports/types';
import type {
  AnyChannels,
  ChannelMap,
  ClientEvents,
  ClientOptions,
  ClientState,
  DataOf,
  MessageHandler,
  TransportName,
} from './types';
import type { CometClient } from './client-api';

export type { CometClient } from './client-api';

/** Runs `fn` once the current work is done: after the frames of one batch, or the subscribe calls of one turn. */
const soon = (fn: () => void): unknown => Promise.resolve().then(fn);

/** A poll held this long without failing counts as connected: the server is holding it. */
const POLL_HELD_MS = 1_000;

/**
 * Builds a client for the hub mounted at `options.url`. It connects when something is subscribed.
 *
 * ```js
 * const client = createClient({ url: '/comet' });
 * const off = client.subscribe('chat/*', (data, { channel }) => console.log(channel, data));
 * client.on('gap', () => reloadFromScratch());
 * ```
 */
export function createClient<S extends ChannelMap = AnyChannels>(options: ClientOptions): CometClient<S> {
  return (options.share && shareClient<S>(options, createConnection)) || createConnection<S>(options);
}

/** A client with its own connection; `subscriptions` receives what it delivers (a shared leader taps them). */
function createConnection<S extends ChannelMap = AnyChannels>(options: ClientOptions, subscriptions = new Subscriptions()): CometClient<S> {
  const server = endpoint(options);
  const selector = new Selector(options.transports ?? DEFAULT_ORDER, transports, server.crossOrigin, options.cors, server.base);
  const resume = new Resume(options.cursor);
  const events = createEmitter<ClientEvents>();
  const bufferingMs = options.bufferingTimeoutMs ?? 5_000;
  /** Silence after which a stream counts as dead: the option, else from the server's heartbeat. */
  let idleMs = options.idleTimeoutMs ?? 45_000;
  const requestMs = options.requestTimeoutMs ?? 60_000;
  const { minMs = 500, maxMs = 30_000 } = options.backoff ?? {};

  let state: ClientState = 'idle';
  /** The transport of the current (or last) request. */
  let active: Transport | undefined;
  /** Bumped whenever a request is dropped: reports from older requests are ignored. */
  let generation = 0;
  let stopRequest: Stop | undefined;
  /** The names the current request asked for. */
  let asked: string[] = [];
  /** Refused with 401 or 403: no retry until reconnect() or a change of subscriptions. */
  let refused = false;
  /** The retry timer between requests; a poll's deadline during one. */
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** A stream's buffering clock, then its idle clock; a poll's "held, so connected" clock. */
  let watch: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let opened = false;
  let why: ClientEvents['transport']['reason'] = 'initial';
  let changing = false;

  function setState(next: ClientState): void {
    if (state === 'closed' || state === next) return;
    state = next;
    events.emit('state', next);
  }

  /** Drops the current request (if any) and every timer. */
  function halt(): void {
    generation++;
    clearTimeout(timer);
    clearTimeout(watch);
    const stop = stopRequest;
    stopRequest = undefined;
    stop?.();
  }

  /** Goes idle or disconnected, telling the app when a connection was open. */
  function leave(next: ClientState, reason: string): void {
    const was = state;
    setState(next);
    if (was === 'connected') events.emit('disconnected', { transport: active?.name, reason });
  }

  function connect(): void {
    halt();
    refused = false;
    if (state === 'closed') return;
    const names = subscriptions.names();
    if (names.length === 0) return leave('idle', 'unsubscribed');
    const transport = selector.current;
    if (!transport) {
      events.emit('error', { code: 'no_transport', message: 'No transport can reach the server from here.' });
      return leave('disconnected', 'no_transport');
    }
    if (transport !== active) {
      events.emit('transport', { from: active?.name, to: transport.name, reason: why });
      active = transport;
    }
    if (state !== 'connected') setState('connecting');
    opened = false;
    const gen = generation;
    if (transport.streaming) {
      // From the request on, not from its headers: a buffering proxy may hold those back too.
      watch = setTimeout(buffered, bufferingMs);
    } else {
      watch = setTimeout(markOpen, POLL_HELD_MS);
      timer = setTimeout(() => fail({ message: 'the poll timed out' }), requestMs);
    }
    asked = names;
    let query = names.map((name) => 'channel=' + encodeURIComponent(name)).join('&');
    if (resume.cursor) query += '&cursor=' + encodeURIComponent(resume.cursor);
    const sink = {
      frame: (frame: Frame) => gen === generation && onFrame(frame, gen),
      fail: (failure: Failure) => gen === generation && fail(failure),
    };
    stopRequest = transport.open(server.url(transport.name, query), sink, server.request());
  }

  /** The request delivers (a stream's first frame, a poll's answer or long hold): the connection is up. */
  function markOpen(): void {
    if (opened) return;
    opened = true;
    attempt = 0;
    selector.opened();
    if (state !== 'connected') {
      setState('connected');
      events.emit('connected', { transport: active!.name });
    }
  }

  function onFrame(frame: Frame, gen: number): void {
    // Two missed heartbeats and some slack: the server says how often it sends them.
    if (frame.type === 'open' && frame.heartbeatMs && options.idleTimeoutMs === undefined) idleMs = frame.heartbeatMs * 2 + Math.min(frame.heartbeatMs, 5_000);
    clearTimeout(watch);
    if (active!.heartbeats) watch = setTimeout(() => fail({ message: 'the stream went silent' }), idleMs);
    markOpen();
    if (gen !== generation) return;
    if (frame.type === 'heartbeat') return;
    if (frame.type === 'gap') {
      resume.gap(frame.cursor);
      return events.emit('gap', { reason: frame.reason, from: frame.from, cursor: frame.cursor });
    }
    const from = resume.cursor;
    const verdict = resume.take(frame.cursor);
    if (verdict === 'jump') events.emit('gap', { reason: 'epoch', from: from!, cursor: frame.cursor });
    if (frame.type === 'message' && verdict !== 'old') {
      subscriptions.deliver({ channel: frame.channel, cursor: frame.cursor, data: frame.data });
    }
    if (frame.type === 'end' && gen === generation) {
      // The server ended the response on purpose: come back at once with the cursor (not on a
      // timer, which a background tab would slow down).
      halt();
      soon(connect);
    }
  }

  function fail(failure: Failure): void {
    const transport = active!;
    halt();
    if (failure.code || failure.status) {
      events.emit('error', {
        code: failure.code ?? 'http',
        message: failure.message ?? 'error',
        status: failure.status,
        transport: transport.name,
      });
    }
    if (state === 'closed') return;
    // Refused for who it is (401) or for what it asks (403): asking again as the same client cannot
    // help, so it waits until the app signs in and calls reconnect(), or changes its subscriptions.
    if (failure.status === 401 || failure.status === 403) {
      refused = true;
      if (state === 'connected') events.emit('disconnected', { transport: transport.name, reason: failure.message ?? 'refused' });
      return setState('disconnected');
    }
    // A transport that never opened and got no answer from the server may not work here at all.
    const step = opened || failure.status ? 'retry' : selector.failed();
    if (step === 'next') {
      why = 'failed';
      return connect();
    }
    if (step === 'wrapped') why = 'failed';
    const delay = Math.max(backoffDelay(attempt++, minMs, maxMs), failure.retryAfterMs ?? 0);
    if (state === 'connected') {
      events.emit('disconnected', { transport: transport.name, reason: failure.message ?? 'error', retryInMs: delay });
    }
    setState('disconnected');
    timer = setTimeout(connect, delay); // a no-op if a listener closed the client meanwhile
  }

  /** A stream delivered nothing in time: a proxy or antivirus holds it back. Fall back to polling. */
  function buffered(): void {
    const transport = active!;
    // A socket that never opened (a proxy holding the upgrade) failed; HTTP streams may still work.
    if (transport.name === 'ws') return fail({ message: 'the socket did not open' });
    halt();
    if (selector.dropStreams()) {
      why = 'buffering';
      return connect();
    }
    fail({ code: 'buffering', message: `The ${transport.name} stream delivered nothing in ${bufferingMs} ms.` });
  }

  /**
   * The subscribed names changed (once per turn, however many calls): an open socket changes its
   * channels in place; any other request reconnects from the same cursor. Not while a retry is due;
   * after a refusal (401, 403), the changed set is asked for at once.
   */
  function changed(): void {
    if (changing || state === 'closed' || (state === 'disconnected' && !refused)) return;
    changing = true;
    soon(() => {
      changing = false;
      if (state === 'closed' || (state === 'disconnected' && !refused)) return;
      const names = subscriptions.names();
      if (!opened || !stopRequest?.update || names.length === 0) return connect();
      stopRequest.update(
        names.filter((n) => !asked.includes(n)),
        asked.filter((n) => !names.includes(n)),
      );
      asked = names;
    });
  }

  return {
    subscribe(channel, onMessage) {
      const name = canonicalChannel(channel);
      const handler = onMessage as MessageHandler;
      if (state === 'closed') return () => {};
      if (subscriptions.add(name, handler)) changed();
      return () => {
        if (subscriptions.remove(name, handler)) changed();
      };
    },
    publish: (channel, data) => publishTo(server, channel, data),
    on: events.on,
    get state() {
      return state;
    },
    get transport() {
      return active?.name;
    },
    get cursor() {
      return resume.cursor;
    },
    reconnect() {
      attempt = 0;
      if (state !== 'closed') connect();
    },
    close() {
      halt();
      leave('closed', 'closed');
    },
  };
}
