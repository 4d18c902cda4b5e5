import { Collector } from './collector';
/* eslint-disable @typescript-eslint/no-require-imports */
const faye = require('faye');

/** The parts of Faye's Node client the tests use. */
export interface FayeClient {
  subscribe(channel: string, onMessage: (data: unknown) => void): Promise<unknown> & { cancel(): Promise<unknown> };
  publish(channel: string, data: unknown): Promise<unknown>;
  disconnect(): Promise<unknown>;
  on(event: string, listener: () => void): void;
  addExtension(extension: object): void;
  /** Turns a transport off (`'websocket'`: HTTP only). */
  disable(feature: string): void;
  _dispatcher: { clientId: string | null };
}

/** A real Faye client for `url`, retrying at once after a failed request (Faye's default waits 5 s). */
export function fayeClient(url: string): FayeClient {
  return new faye.Client(url, { retry: 0.01 }) as FayeClient;
}

/** Faye clients a test makes (`client()`), all disconnected by `disconnectAll()` (in `afterEach`). */
export interface FayeClients {
  client(): FayeClient;
  disconnectAll(): Promise<void>;
}

/** A pool of real Faye clients for the endpoint `url()` names when each is made. */
export function fayeClients(url: () => string): FayeClients {
  const made: FayeClient[] = [];
  return {
    client() {
      const c = fayeClient(url());
      made.push(c);
      return c;
    },
    async disconnectAll() {
      await Promise.all(made.splice(0).map((c) => c.disconnect()));
    },
  };
}

/**
 * Two clients on `/chat/room`: `a` subscribes, then `a` and `b` publish; resolves with what `a`
 * received (its own message and the other client's, in order, when all is well).
 */
export async function ownAndAnothers(a: FayeClient, b: FayeClient): Promise<unknown[]> {
  const got = new Collector();
  await a.subscribe('/chat/room', got.push);
  await a.publish('/chat/room', { from: 'a' });
  await b.publish('/chat/room', { from: 'b' });
  return got.until(2);
}
