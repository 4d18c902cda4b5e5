import type { CometRequest } from '@cometkit/core';

/**
 * The fast tier's fakes: a neutral request with no socket behind it, and a gate a test opens
 * when it chooses, never a sleep.
 */

/** A request whose client the test makes leave (the Node bridge fires the signal so). */
export interface FakeRequest extends CometRequest {
  leave(): void;
}

/** A `POST` of Bayeux messages as JSON, as a long-polling client sends them. */
export function postOf(messages: object[]): FakeRequest {
  const body = Buffer.from(JSON.stringify(messages));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(body.length) };
  const client = new AbortController();
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    params: {},
    header: (name) => headers[name],
    body: () => Promise.resolve(body),
    signal: client.signal,
    raw: undefined,
    leave: () => client.abort(),
  };
}

/** A promise the test resolves when it chooses. */
export interface Gate<T = void> {
  readonly promise: Promise<T>;
  open(value: T): void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** One macrotask turn, every microtask before it drained: what a settled promise chain needs. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
