/**
 * WebSocket protocols: a bare `ws` server, cometkit's `/comet/ws`, Socket.IO (Engine.IO v4 over
 * WebSocket only), SockJS's websocket transport and Bayeux over WebSocket. Each subscriber is one
 * `ws` client socket (bound to one of the loopback source addresses, as the HTTP clients are);
 * a socket the server closes is reopened at once, cometkit's from its last cursor, Bayeux's on the
 * same session (the next connect reads from the session's cursor).
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { now } from '../ipc';
import { sleep, sourceAddress } from './http';
import type { Protocol, ProtocolContext, Subscription } from './protocol';
import type { SubState } from './tracker';

/** How one protocol speaks over its socket. */
interface SocketWire {
  /** The path to open, given what the subscriber kept from before (a cursor, a session). */
  path(state: Record<string, string>): string;
  /** Called on open, before any frame. */
  opened?(socket: WebSocket, state: Record<string, string>): void;
  /** One text frame: record its messages, answer what the protocol wants answered. */
  frame(text: string, arrival: number, socket: WebSocket, sub: SubState, context: ProtocolContext, state: Record<string, string>): void;
}

const open = (port: number, path: string): WebSocket =>
  new WebSocket(`ws://127.0.0.1:${port}${path}`, { localAddress: sourceAddress(), perMessageDeflate: false });

function socketLoop(context: ProtocolContext, sub: SubState, wire: SocketWire, state: Record<string, string> = {}): Subscription {
  let stopped = false;
  let socket: WebSocket | undefined;
  const connect = (): void => {
    const ws = open(context.port, wire.path(state));
    socket = ws;
    ws.on('open', () => wire.opened?.(ws, state));
    ws.on('message', (data) => wire.frame(String(data), now(), ws, sub, context, state));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      if (stopped) return;
      if (code === 1006) context.tracker.errors++;
      else context.tracker.reopened++;
      void sleep(code === 1006 ? 100 : 0).then(() => stopped || connect());
    });
  };
  connect();
  return {
    stop() {
      stopped = true;
      socket?.terminate();
    },
  };
}

/** Churn: opens a socket, runs `opened` (the protocol's first frames), holds `holdMs`, drops it. */
function churnSocket(port: number, path: string, holdMs: number, opened?: (socket: WebSocket) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = open(port, path);
    const guard = setTimeout(() => done(new Error('churn: no open within 10 s')), 10_000);
    const done = (error?: Error): void => {
      clearTimeout(guard);
      ws.terminate();
      if (error) reject(error);
      else resolve();
    };
    ws.on('error', (error) => done(error));
    ws.on('open', () => {
      opened?.(ws);
      setTimeout(() => done(), holdMs);
    });
  });
}

/** A bare `ws` server: frames of `{"seq","t"}` messages, nothing to answer. */
export const bareWs: Protocol = {
  subscribe: (context, sub) => socketLoop(context, sub, { path: () => '/ws', frame: (text, arrival, _s, sub, { tracker }) => tracker.scan(sub, text, arrival) }),
  churn: (port, holdMs) => churnSocket(port, '/ws', holdMs),
};

const COMPACT_HEAD = '{"type":"messages","epoch":"';

/**
 * The cursor after a compact frame (`frames=compact`, as `@cometkit/client` asks for): the epoch,
 * then the last message's position (the bench's data, `{"seq","t"}`, holds no `[`).
 */
function compactCursor(text: string): string {
  const epoch = text.slice(COMPACT_HEAD.length, text.indexOf('"', COMPACT_HEAD.length));
  const last = text.lastIndexOf('[') + 1;
  return `${epoch}-${text.slice(last, text.indexOf(',', last))}`;
}

const CURSOR = /"cursor":"([^"]+)"/g;

/**
 * cometkit `/comet/ws` with compact frames; a reopened socket resumes from the last cursor. The
 * cursor of a compact frame is read only when the socket reopens (the last such frame is kept):
 * reading it from every frame would be the load client's own cost per message, and S2's latency
 * is mostly the load client reading 2,000 frames per message (bench/HISTORY.md, problem 23).
 */
export const cometkitWs: Protocol = {
  subscribe: (context, sub) =>
    socketLoop(
      context,
      sub,
      {
        path: (state) => `/comet/ws?channel=bench/feed&frames=compact&cursor=${(state.compact && compactCursor(state.compact)) || state.cursor}`,
        frame(text, arrival, _socket, sub, { tracker }, state) {
          tracker.scan(sub, text, arrival);
          if (text.startsWith(COMPACT_HEAD)) {
            state.compact = text;
            return;
          }
          let last: string | undefined;
          for (const match of text.matchAll(CURSOR)) last = match[1];
          if (last) {
            state.cursor = last;
            delete state.compact;
          }
          if (text.includes('"type":"gap"')) tracker.gaps++;
        },
      },
      { cursor: context.cursor },
    ),
  churn: (port, holdMs) => churnSocket(port, '/comet/ws?channel=bench/feed&frames=compact', holdMs),
};

const EIO_WS = '/socket.io/?EIO=4&transport=websocket';

/** Engine.IO v4 over WebSocket: `0{…}` open, `40` to join, `2` ping answered `3`, `42[…]` events. */
export const engineIoWs: Protocol = {
  subscribe: (context, sub) =>
    socketLoop(context, sub, {
      path: () => EIO_WS,
      frame(text, arrival, socket, sub, { tracker }) {
        if (text.startsWith('42')) tracker.scan(sub, text, arrival);
        else if (text === '2') socket.send('3');
        else if (text.startsWith('0')) socket.send('40');
      },
    }),
  churn: (port, holdMs) => churnSocket(port, EIO_WS, holdMs),
};

const sockjsPath = (): string => `/sockjs/${Math.floor(Math.random() * 1000)}/${randomBytes(8).toString('hex')}/websocket`;

/** SockJS websocket: `o` open, `h` heartbeat, `a[…]` messages (JSON strings), `c[…]` closed. */
export const sockjsWs: Protocol = {
  subscribe: (context, sub) =>
    socketLoop(context, sub, {
      path: sockjsPath,
      frame: (text, arrival, _socket, sub, { tracker }) => void (text.startsWith('a') && tracker.scan(sub, text, arrival)),
    }),
  churn: (port, holdMs) => churnSocket(port, sockjsPath(), holdMs),
};

interface BayeuxReply {
  channel: string;
  successful?: boolean;
  clientId?: string;
  data?: { seq: number; t: number };
}

let bayeuxIds = 0;
const bayeuxSend = (socket: WebSocket, messages: object[]): void =>
  socket.send(JSON.stringify(messages.map((message) => ({ ...message, id: String(++bayeuxIds) }))));
const handshake = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'] };
const connect = (clientId: string): object => ({ channel: '/meta/connect', clientId, connectionType: 'websocket' });

/**
 * Bayeux over WebSocket (cometkit at `/faye`): handshake, subscribe and a connect loop on one
 * socket, each connect sent when the last is answered. A reopened socket keeps its session.
 */
export const bayeuxWs: Protocol = {
  subscribe: (context, sub) =>
    socketLoop(context, sub, {
      path: () => '/faye',
      opened(socket, state) {
        if (state.clientId) bayeuxSend(socket, [connect(state.clientId)]);
        else bayeuxSend(socket, [handshake]);
      },
      frame(text, arrival, socket, sub, { tracker }, state) {
        for (const message of JSON.parse(text) as BayeuxReply[]) {
          if (message.channel === '/bench/feed' && message.data) tracker.record(sub, message.data.seq, message.data.t, arrival);
          else if (message.channel === '/meta/handshake' && message.successful && message.clientId) {
            state.clientId = message.clientId;
            bayeuxSend(socket, [{ channel: '/meta/subscribe', clientId: message.clientId, subscription: '/bench/feed' }]);
            bayeuxSend(socket, [connect(message.clientId)]);
          } else if (message.channel === '/meta/connect') {
            tracker.responses++;
            if (message.successful) bayeuxSend(socket, [connect(state.clientId!)]);
            else {
              tracker.errors++;
              delete state.clientId;
              bayeuxSend(socket, [handshake]);
            }
          }
        }
      },
    }),
  churn: (port, holdMs) =>
    churnSocket(port, '/faye', holdMs, (socket) => {
      socket.on('message', (data) => {
        const [reply] = JSON.parse(String(data)) as BayeuxReply[];
        if (reply?.channel === '/meta/handshake' && reply.clientId) bayeuxSend(socket, [connect(reply.clientId)]);
      });
      bayeuxSend(socket, [handshake]);
    }),
};
