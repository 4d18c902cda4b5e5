import http from 'node:http';
import zlib from 'node:zlib';

/** One thing a client received, whatever the transport: the frame objects of PROTOCOL.md. */
export interface Frame {
  type: import('@cometkit/protocol').Frame['type'];
  channel?: string;
  cursor?: string;
  data?: unknown;
  reason?: string;
  from?: string;
  heartbeatMs?: number;
}

/** One HTTP response being read from a real socket, parsed as it arrives. */
export interface Connection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every byte of the body so far, decoded. */
  raw(): string;
  frames: Frame[];
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  isEnded(): boolean;
  /** Resolves once `condition(frames)` holds; rejects after `timeoutMs`. */
  waitFor(condition: (frames: Frame[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** The cursor to resume from: the newest one any frame carried. */
  cursor(): string | undefined;
  /** Aborts the request (the client goes away). */
  close(): void;
  /** Stops reading from the socket (a stalled client): the server's buffers fill. */
  pause(): void;
  /** Reads again after {@link pause}. */
  resume(): void;
}

/** Options of a connection. */
export interface ConnectOptions {
  headers?: Record<string, string>;
  /** Extra query text (`padding=1`). */
  extra?: string;
}

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
 * Turns the body received so far into frames: what it could parse, and the text left over for
 * next time. `final` is true once the response has ended.
 */
export type Parser = (text: string, final: boolean) => { frames: Frame[]; rest: string };

const pollParser: Parser = (text, final) => (final ? { frames: batchFrames(JSON.parse(text)), rest: '' } : { frames: [], rest: text });

function batchFrames(body: { cursor: string; messages: Frame[]; gap?: { reason: string; from: string } }): Frame[] {
  const frames: Frame[] = [];
  if (body.gap) frames.push({ type: 'gap', ...body.gap });
  for (const message of body.messages) frames.push({ ...message, type: 'message' });
  frames.push({ type: 'end', reason: 'batch', cursor: body.cursor });
  return frames;
}

const JSONP_BODY = /^\/\*\*\/typeof ([\w$.]+)==='function'&&\1\(([\s\S]*)\);$/;
const jsonpParser: Parser = (text, final) => {
  if (!final) return { frames: [], rest: text };
  const match = JSONP_BODY.exec(text);
  if (!match) throw new Error(`not a JSONP body: ${text.slice(0, 200)}`);
  const value = JSON.parse(match[2]!);
  return { frames: value.error ? [{ type: 'end', reason: 'error', data: value }] : batchFrames(value), rest: '' };
};

const ndjsonParser: Parser = (text) => {
  const lines = text.split('\n');
  const rest = lines.pop()!;
  return { frames: lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Frame), rest };
};

const IFRAME_FRAME = /<script>p\(([\s\S]*?)\);<\/script>\n/g;
const iframeParser: Parser = (text) => {
  const frames: Frame[] = [];
  let consumed = 0;
  for (const match of text.matchAll(IFRAME_FRAME)) {
    frames.push(JSON.parse(match[1]!));
    consumed = match.index! + match[0].length;
  }
  return { frames, rest: text.slice(consumed) };
};

const sseParser: Parser = (text) => {
  const blocks = text.split('\n\n');
  const rest = blocks.pop()!;
  const frames: Frame[] = [];
  for (const block of blocks) {
    let event = 'message';
    let data: string | undefined;
    let id: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data = (data === undefined ? '' : data + '\n') + line.slice(6);
      else if (line.startsWith('id: ')) id = line.slice(4);
    }
    if (data === undefined) continue; // comments and the retry line

    const value = JSON.parse(data);
    if (event === 'ready') frames.push({ ...value, type: 'open' });
    else if (event === 'heartbeat') frames.push({ type: 'heartbeat' });
    else if (event === 'message') {
      if (value.cursor !== id) throw new Error(`SSE id ${id} differs from the message cursor ${value.cursor}`);
      frames.push({ ...value, type: 'message' });
    } else frames.push({ ...value, type: event as Frame['type'] });
  }
  return { frames, rest };
};

/**
 * A driver for the transport routed at `{mount}/{name}`, parsing its body with `parser`; `param`
 * is extra query text every request carries (`&callback=…`). For custom transports too.
 */
export function createDriver(name: string, streaming: boolean, parser: Parser, param = ''): TransportDriver {
  return {
    name,
    streaming,
    connect: (base, query, options) => open(`${base}/${name}?${query}${param}${options?.extra ? '&' + options.extra : ''}`, parser, options),
    openUrl: (url, options) => open(url, parser, options),
  };
}

/** Every transport, in the order the conformance suite runs them. */
export const drivers: readonly TransportDriver[] = [
  createDriver('poll', false, pollParser),
  createDriver('jsonp', false, jsonpParser, '&callback=cometkit.cb_1'),
  createDriver('sse', true, sseParser),
  createDriver('stream', true, ndjsonParser),
  createDriver('iframe', true, iframeParser, '&callback=parent.onFrame'),
];

/** The built-in drivers' parsers, for a custom transport that frames as one of them does. */
export const parsers = { poll: pollParser, jsonp: jsonpParser, sse: sseParser, ndjson: ndjsonParser, iframe: iframeParser } as const;

export function open(url: string, parser: Parser, options: ConnectOptions = {}): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const controller = new AbortController();
    const req = http.request(url, { agent: false, headers: options.headers, signal: controller.signal });
    req.on('error', (error) => (error.name === 'AbortError' ? undefined : reject(error)));
    req.on('response', (res) => {
      const frames: Frame[] = [];
      let raw = '';
      let rest = '';
      let ended = false;
      const waiters = new Set<() => void>();
      const notify = (): void => waiters.forEach((w) => w());
      const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(zlib.createGunzip()) : res;
      body.setEncoding('utf8');
      const take = (chunk: string, final: boolean): void => {
        raw += chunk;
        const parsed = parser(rest + chunk, final);
        rest = parsed.rest;
        frames.push(...parsed.frames);
      };
      const endedPromise = new Promise<void>((done) => {
        const finish = (): void => {
          if (ended) return;
          if (res.statusCode === 200 || res.headers['content-type']?.includes('javascript')) take('', true);
          ended = true;
          notify();
          done();
        };
        body.on('end', finish);
        body.on('error', finish);
        // A decompressed body ends after the socket closes; only an aborted one needs the close.
        res.on('close', () => (body === res || !res.complete ? finish() : undefined));
      });
      body.on('data', (chunk: string) => {
        take(chunk, false);
        notify();
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => raw,
        frames,
        ended: endedPromise,
        isEnded: () => ended,
        cursor: () => [...frames].reverse().find((f) => f.cursor)?.cursor,
        close: () => controller.abort(),
        pause: () => {
          body.pause();
          res.pause();
        },
        resume: () => {
          res.resume();
          body.resume();
        },
        waitFor: (condition, timeoutMs, what) => waitForFrames(frames, waiters, () => ended, condition, timeoutMs, what),
      });
    });
    req.end();
  });
}

/**
 * {@link Connection.waitFor} over a connection's `frames`: checked now and at each notification
 * (every waiter in `waiters` is called when frames arrive or the connection ends).
 */
export function waitForFrames(
  frames: Frame[],
  waiters: Set<() => void>,
  isEnded: () => boolean,
  condition: (frames: Frame[]) => boolean,
  timeoutMs = 3_000,
  what = 'frames',
): Promise<void> {
  return new Promise((done, fail) => {
    const check = (): void => {
      if (condition(frames)) {
        cleanup();
        done();
      } else if (isEnded()) {
        cleanup();
        fail(new Error(`response ended before ${what}: ${JSON.stringify(frames).slice(0, 500)}`));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      fail(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames).slice(0, 500)}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

/** Messages among frames. */
export const messagesOf = (frames: Frame[]): Frame[] => frames.filter((f) => f.type === 'message');

/**
 * Receives `count` messages from `cursor` on one driver, as its client would: a stream (opened
 * again from its `end` cursor when the server ends it), or polls in a row each resuming from the
 * last cursor. Returns the messages, every frame, the cursor to go on from, and the number of
 * requests it took. Several bases
 * take the requests in turn (a round-robin balancer in front of several servers).
 */
export async function receive(
  driver: TransportDriver,
  base: string | readonly string[],
  channels: string,
  cursor: string | undefined,
  count: number,
  timeoutMs = 5_000,
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
