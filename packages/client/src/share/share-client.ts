import { canonicalChannel } from '@cometkit/protocol';
import type { CometClient } from '../client-api';
import { createEmitter } from '../emitter';
import { endpoint } from '../endpoint';
import { publishTo } from '../publish';
import { Resume } from '../resume';
import { Subscriptions } from '../subscriptions';
import type { AnyChannels, ChannelMap, ClientEvents, ClientOptions, ClientState, CometMessage, GapEvent, MessageHandler, TransportName } from '../types';
import { lead, type Connect, type Leader } from './leader';
import type { Note } from './notes';

const ignore = (): void => {};

/**
 * A client that shares one connection with the other tabs of this origin using the same `url`
 * (README, "Sharing one connection between tabs"). Each tab holds a Web Lock of its own while it
 * lives; the tab holding the common lock leads: it opens the connection for every tab's channels
 * and broadcasts each message with its cursor. Each tab delivers the messages of its own channels,
 * dropping any at or before its cursor; the next leader resumes from that cursor. The leader learns
 * that a tab went away when it is granted that tab's lock. Undefined where there are no Web Locks
 * or no BroadcastChannel: the caller connects by itself.
 */
export function shareClient<S extends ChannelMap = AnyChannels>(options: ClientOptions, connect: Connect): CometClient<S> | undefined {
  const locks = typeof navigator === 'object' ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel !== 'function') return undefined;
  const key = 'cometkit ' + new URL(options.url, typeof location === 'object' ? location.href : undefined).href;
  const id = Math.random().toString(36).slice(2);
  const server = endpoint(options);
  const bus = new BroadcastChannel(key);
  const own = new Subscriptions();
  const resume = new Resume(options.cursor);
  const events = createEmitter<ClientEvents>();
  /** Every other tab's channels, by tab id. */
  const tabs = new Map<string, string[]>();
  /** Tabs whose lock the leader waits for: granted means gone. */
  const watched = new Set<string>();
  const quit = new AbortController();
  let release = ignore;
  /** Both locks are held until this settles: when the client closes, or the page goes. */
  const held = new Promise<void>((done) => (release = done));
  let state: ClientState = 'idle';
  let transport: TransportName | undefined;
  let ready = false;
  let changing = false;
  let leader: Leader | undefined;

  const post = (note: Note): void => bus.postMessage(note);
  const request = (name: string, fn: () => unknown): unknown => locks.request(name, { signal: quit.signal }, fn).catch(ignore);

  function message(m: CometMessage): void {
    if (resume.take(m.cursor) !== 'old') own.deliver(m);
  }

  function event(name: keyof ClientEvents, value: unknown): void {
    if (name === 'state') {
      if (state === value || state === 'closed') return;
      state = value as ClientState;
    }
    if (name === 'transport') transport = (value as ClientEvents['transport']).to;
    if (name === 'gap') resume.gap((value as GapEvent).cursor);
    events.emit(name, value as never);
  }

  function names(): string[] {
    return [...new Set([...own.names(), ...[...tabs.values()].flat()])];
  }

  function announce(): void {
    if (!ready) return;
    post({ t: 'subs', id, names: own.names() });
    leader?.refresh();
  }

  /** The leader waits for a tab's lock: once granted, that tab is gone and its channels go too. */
  function watch(tab: string): void {
    if (watched.has(tab)) return;
    watched.add(tab);
    request(`${key} tab ${tab}`, () => {
      tabs.delete(tab);
      leader?.refresh();
    });
  }

  bus.onmessage = ({ data: note }: MessageEvent<Note>) => {
    if (state === 'closed') return;
    if (note.t === 'msg') return message(note.m);
    if (note.t === 'ev') return event(note.n, note.v);
    if (note.t === 'hello') return announce();
    if (note.t === 'again') return leader?.connection.reconnect();
    if (note.t === 'sync') {
      if (note.c) resume.take(note.c);
      // A tab that joined late hears where the connection stands here first.
      if (note.tr && note.tr !== transport) event('transport', { from: transport, to: note.tr, reason: 'initial' });
      const was = state;
      event('state', note.s);
      if (was !== state && state === 'connected') events.emit('connected', { transport: transport! });
      return;
    }
    tabs.set(note.id, note.names);
    if (!leader) return;
    watch(note.id);
    leader.refresh();
    leader.sync();
  };

  // This tab's own lock first: the leader must never be granted it while the tab lives.
  request(`${key} tab ${id}`, () => {
    ready = true;
    announce();
    request(key, () => {
      if (state === 'closed') return;
      leader = lead({ options, cursor: resume.cursor, names, post, message, event }, connect);
      tabs.forEach((_, tab) => watch(tab));
      return held;
    });
    return held;
  });

  return {
    subscribe(channel, onMessage) {
      const name = canonicalChannel(channel);
      const handler = onMessage as MessageHandler;
      if (state === 'closed') return ignore;
      const changed = (): void => {
        if (changing) return;
        changing = true;
        void Promise.resolve().then(() => ((changing = false), announce()));
      };
      if (own.add(name, handler)) changed();
      return () => void (own.remove(name, handler) && changed());
    },
    publish: (channel, data) => publishTo(server, channel, data),
    on: events.on,
    get state() {
      return state;
    },
    get transport() {
      return transport;
    },
    get cursor() {
      return resume.cursor;
    },
    reconnect() {
      if (leader) leader.connection.reconnect();
      else post({ t: 'again' });
    },
    close() {
      if (state === 'closed') return;
      const was = state;
      event('state', 'closed');
      if (was === 'connected') events.emit('disconnected', { transport, reason: 'closed' });
      quit.abort();
      release();
      leader?.connection.close();
      bus.close();
    },
  };
}
