/** Hand-made Bayeux requests, for the rules a real client does not show. */

export type Json = Record<string, any>;

/** POSTs `messages` as JSON (or `body` as is) and returns the status, headers and parsed body. */
export async function post(url: string, messages: unknown, init: { headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: init.headers ?? { 'content-type': 'application/json' },
    body: init.body ?? JSON.stringify(messages),
    signal: init.signal,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Sends messages and returns the array of replies (throws on anything but 200 + array). */
export async function send(url: string, messages: unknown, init?: Parameters<typeof post>[2]): Promise<Json[]> {
  const { status, body, text } = await post(url, messages, init);
  if (status !== 200 || !Array.isArray(body)) throw new Error(`expected 200 and an array, got ${status}: ${text}`);
  return body as Json[];
}

/** Handshakes and returns the clientId. */
export async function handshake(url: string, ext?: Json): Promise<string> {
  const [reply] = await send(url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: 'h', ext }]);
  if (!reply?.successful) throw new Error(`handshake failed: ${JSON.stringify(reply)}`);
  return reply.clientId as string;
}

/** A `/meta/connect` (held unless `timeout` is 0). */
export function connect(url: string, clientId: string, extra: Json = {}, init?: Parameters<typeof post>[2]): Promise<Json[]> {
  return send(url, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: 'c', ...extra }], init);
}

export async function subscribe(url: string, clientId: string, subscription: string | string[]): Promise<Json> {
  const [reply] = await send(url, [{ channel: '/meta/subscribe', clientId, subscription, id: 's' }]);
  return reply!;
}

export async function publish(url: string, clientId: string, channel: string, data: unknown): Promise<Json> {
  const [reply] = await send(url, [{ channel, clientId, data, id: 'p' }]);
  return reply!;
}

/** The deliveries of a connect answer (everything after the connect reply). */
export const deliveries = (answer: Json[]): Json[] => answer.filter((m) => m.channel !== '/meta/connect');

/** Resolves once `count` Bayeux connects are held by the hub's engine (turns of the event loop, no sleeps). */
export async function untilHeld(hub: { stats(): { connectionsByTransport: Record<string, number> } }, count = 1): Promise<void> {
  for (let turns = 0; (hub.stats().connectionsByTransport.bayeux ?? 0) < count; turns++) {
    if (turns > 5_000_000) throw new Error(`never saw ${count} held connects`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
