import { WebSocket, type ClientOptions } from 'ws';
import type { Json } from './wire';

/** A raw `ws` client speaking Bayeux: each frame sent is a JSON array, each frame received one too. */
export interface BayeuxSocketClient {
  /** Every message received, in order (the arrays of every frame, flattened). */
  readonly messages: Json[];
  send(messages: unknown, raw?: boolean): void;
  /** Resolves with the first message (seen or to come) that `match` accepts. */
  next(match: (message: Json) => boolean): Promise<Json>;
  /** Resolves with the close code once the socket closed. */
  readonly closed: Promise<number>;
  readonly socket: WebSocket;
}

/** Opens `url` (http:// or ws://); resolves once open, rejects with the refused upgrade's status and body. */
export function openBayeuxSocket(url: string, options: ClientOptions = {}): Promise<BayeuxSocketClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), options);
    const messages: Json[] = [];
    const waiters: { match: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];
    const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
    socket.on('message', (data) => {
      for (const message of [].concat(JSON.parse(String(data))) as Json[]) {
        messages.push(message);
        for (const waiter of [...waiters]) {
          if (!waiter.match(message)) continue;
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body })));
    });
    socket.on('error', reject);
    socket.on('open', () =>
      resolve({
        messages,
        socket,
        closed,
        send: (value, raw) => socket.send(raw && typeof value === 'string' ? value : JSON.stringify(value)),
        next(match) {
          const seen = messages.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((found, failed) => {
            waiters.push({ match, resolve: found });
            void closed.then(() => failed(new Error('the socket closed first')));
          });
        },
      }),
    );
  });
}

/** The reply with this id. */
export const withId = (id: string) => (message: Json): boolean => message.id === id;

/** Handshakes over the socket; resolves with the clientId. */
export async function socketHandshake(client: BayeuxSocketClient, ext?: Json): Promise<Json> {
  client.send([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: 'hs', ext }]);
  return client.next(withId('hs'));
}

/** The sockets {@link trackedSocket} opened (one list per test file: jest loads this module per file). */
const opened: BayeuxSocketClient[] = [];

/** {@link openBayeuxSocket}, remembered so that {@link terminateOpened} ends it after its test. */
export async function trackedSocket(url: string, options?: ClientOptions): Promise<BayeuxSocketClient> {
  const client = await openBayeuxSocket(url, options);
  opened.push(client);
  return client;
}

/** Terminates every socket {@link trackedSocket} opened so far. */
export function terminateOpened(): void {
  opened.splice(0).forEach((c) => c.socket.terminate());
}
