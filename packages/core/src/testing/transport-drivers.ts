import { openResponse, type ConnectOptions, type Connection } from './http-connection';
import { parsers, type Frame, type Parser } from './frame-parsers';

/**
 * A behaviour of the conformance suite that only some transports can have: a stream's `byte-budget`
 * and `max-age` (the hub's `streams` options), and the HTTP `stream-headers` that stop buffering.
 */
export type OptionalBehaviour = 'byte-budget' | 'max-age' | 'stream-headers';

/** How the tests speak one transport. */
export interface TransportDriver {
  /** The route name: a built-in one (`poll`, `jsonp`, `sse`, `stream`, `iframe`) or a custom transport's. */
  name: string;
  /** The suite's title for it, when one transport is driven two ways (default: `name`). */
  label?: string;
  /** Streams stay open; polls answer one batch and end. */
  streaming: boolean;
  /** Behaviours this transport does not have, whose tests the suite leaves out for it (none by default). */
  without?: readonly OptionalBehaviour[];
  /** Opens a request: `query` holds channels and cursor (`channel=a&cursor=…`). */
  connect(base: string, query: string, options?: ConnectOptions): Promise<Connection>;
  /** Opens a whole URL (a per-route endpoint) and parses it as this transport. */
  openUrl(url: string, options?: ConnectOptions): Promise<Connection>;
}

/**
 * A driver for the transport routed at `{mount}/{name}`, parsing its body with `parser`; `param`
 * is extra query text every request carries (`&callback=…`). For custom transports too.
 */
export function createDriver(name: string, streaming: boolean, parser: Parser, param = ''): TransportDriver {
  return {
    name,
    streaming,
    connect: (base, query, options) => openResponse(`${base}/${name}?${query}${param}${options?.extra ? '&' + options.extra : ''}`, parser, options),
    openUrl: (url, options) => openResponse(url, parser, options),
  };
}

/** Every transport, in the order the conformance suite runs them. */
export const drivers: readonly TransportDriver[] = [
  createDriver('poll', false, parsers.poll),
  createDriver('jsonp', false, parsers.jsonp, '&callback=cometkit.cb_1'),
  createDriver('sse', true, parsers.sse),
  createDriver('stream', true, parsers.ndjson),
  createDriver('iframe', true, parsers.iframe, '&callback=parent.onFrame'),
];

/** Messages among frames. */
export const messagesOf = (frames: readonly Frame[]): Frame[] => frames.filter((f) => f.type === 'message');

/**
 * Receives `count` messages from `cursor` on one driver, as its client would: a stream (opened
 * again from its `end` cursor when the server ends it), or polls in a row each resuming from the
 * last cursor. Returns the messages, every frame, the cursor to go on from, and the number of
 * requests it took. Several bases take the requests in turn (a round-robin balancer in front of
 * several servers).
 */
export async function receive(
  driver: TransportDriver,
  base: string | readonly string[],
  channels: string,
  cursor: string | undefined,
  count: number,
  timeoutMs = 10_000,
): Promise<{ messages: Frame[]; cursor: string | undefined; frames: Frame[]; requests: number }> {
  const query = (c: string | undefined): string => `${channels}${c ? `&cursor=${c}` : ''}`;
  const all: Frame[] = [];
  const deadline = Date.now() + timeoutMs;
  let requests = 0;
  while (messagesOf(all).length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`waited for ${count} messages on ${driver.name}, got ${messagesOf(all).length}`);
    const connection = await driver.connect(typeof base === 'string' ? base : base[requests++ % base.length]!, query(cursor));
    const enough = (frames: Frame[]): boolean => messagesOf(all).length + messagesOf(frames).length >= count;
    await Promise.race([connection.ended, connection.waitFor(enough, left, `${count} messages`).catch(() => undefined)]);
    connection.close();
    all.push(...connection.frames);
    cursor = connection.cursor();
  }
  const messages = messagesOf(all);
  return { messages, cursor: messages[messages.length - 1]?.cursor ?? cursor, frames: all, requests };
}
