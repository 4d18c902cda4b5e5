import { WebSocket, type ClientOptions } from 'ws';
import { expandMessages, type MessagesFrame } from '@cometkit/protocol';
import { attachWebSocket } from '@cometkit/ws';
import { waitForFrames, type ConnectOptions, type Connection, type Frame, type ServerKind, type TransportDriver } from '@cometkit/core/testing';

/** A WebSocket as the tests see it: a {@link Connection}, plus what only a socket has. */
export interface SocketConnection extends Connection {
  /** The close code the server sent (set once `ended` resolved), or 1006 when the socket broke. */
  closeCode(): number | undefined;
  /** Sends one text frame (a JSON value, or raw text when given a string and `raw`). */
  send(frame: unknown, raw?: boolean): void;
  /** The `ws` client itself (binary frames, oversized frames). */
  readonly socket: WebSocket | undefined;
}

/** `http://host/comet` → `ws://host/comet/ws`. */
export const socketUrl = (base: string, query: string): string => `${base.replace(/^http/, 'ws')}/ws?${query}`;

/**
 * Opens a WebSocket with the `ws` client and reads it as a {@link Connection}: each text frame is
 * one frame object (`client`: options of the `ws` client); a refused upgrade gives the HTTP status and body, as an HTTP transport does.
 * A socket opened with `frames=compact` has its `messages` frames read as the `message` frames
 * they stand for; on any other, a `messages` frame is kept as it came (and fails what expects messages).
 */
export function openSocket(url: string, options: ConnectOptions = {}, client: ClientOptions = {}): Promise<SocketConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ...client, headers: options.headers });
    const compact = /[?&]frames=compact(&|$)/.test(url);
    const frames: Frame[] = [];
    let raw = '';
    let ended = false;
    let code: number | undefined;
    const waiters = new Set<() => void>();
    const notify = (): void => waiters.forEach((w) => w());
    let finish!: () => void;
    const endedPromise = new Promise<void>((done) => {
      finish = () => {
        if (ended) return;
        ended = true;
        notify();
        done();
      };
    });
    const connection = (status: number, headers: Connection['headers'], open: WebSocket | undefined): SocketConnection => ({
      status,
      headers,
      raw: () => raw,
      frames,
      ended: endedPromise,
      isEnded: () => ended,
      closeCode: () => code,
      socket: open,
      send: (frame, asText) => open?.send(asText && typeof frame === 'string' ? frame : JSON.stringify(frame)),
      cursor: () => [...frames].reverse().find((f) => f.cursor)?.cursor,
      close: () => (open ? open.terminate() : undefined),
      pause: () => open?.pause(),
      resume: () => open?.resume(),
      waitFor: (condition, timeoutMs, what) => waitForFrames(frames, waiters, () => ended, condition, timeoutMs, what),
    });
    socket.on('upgrade', (res) => {
      socket.on('message', (data, isBinary) => {
        const text = String(data);
        raw += text;
        // A text frame holds one frame object, or several, one per line (a batch of messages).
        if (!isBinary) {
          for (const line of text.split('\n')) {
            if (!line) continue;
            const frame = JSON.parse(line) as Frame | MessagesFrame;
            if (compact && frame.type === 'messages') frames.push(...(expandMessages(frame) as Frame[]));
            else frames.push(frame as Frame);
          }
        }
        notify();
      });
      socket.on('close', (closeCode) => {
        code = closeCode;
        finish();
      });
      resolve(connection(res.statusCode ?? 101, res.headers, socket));
    });
    socket.on('unexpected-response', (_req, res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (raw += chunk));
      res.on('end', finish);
      res.on('close', finish);
      resolve(connection(res.statusCode ?? 0, res.headers, undefined));
    });
    socket.on('error', (error) => (ended ? undefined : reject(error)));
  });
}

/**
 * The WebSocket transport for the conformance suite. What it cannot have (a byte budget, a maximum
 * age from the hub's stream options, HTTP stream headers) it names in `without`.
 */
export const wsDriver: TransportDriver = {
  name: 'ws',
  streaming: true,
  without: ['byte-budget', 'max-age', 'stream-headers'],
  connect: (base, query, options) => openSocket(socketUrl(base, query + (options?.extra ? '&' + options.extra : '')), options),
  openUrl: (url, options) => openSocket(url.replace(/^http/, 'ws'), options),
};

/** The same transport with compact frames (`frames=compact`), as `@cometkit/client` opens it. */
export const wsCompactDriver: TransportDriver = {
  ...wsDriver,
  label: 'ws (compact frames)',
  connect: (base, query, options) => openSocket(socketUrl(base, `${query}&frames=compact${options?.extra ? '&' + options.extra : ''}`), options),
  openUrl: (url, options) => openSocket(`${url.replace(/^http/, 'ws')}${url.includes('?') ? '&' : '?'}frames=compact`, options),
};

/** A server kind with the WebSocket upgrade handler attached: the one line a user adds. */
export function withWebSocket(kind: ServerKind): ServerKind {
  return {
    name: kind.name,
    async start(hub, setup) {
      const running = await kind.start(hub, setup);
      const sockets = attachWebSocket(running.server, hub, { public: true });
      return { ...running, close: () => (sockets.close(), running.close()) };
    },
  };
}
