/**
 * Streaming protocols: Server-Sent Events (bare `node:http`, better-sse, cometkit `/comet/sse`),
 * cometkit XHR streaming (`/comet/stream`, NDJSON) and forever iframe (`/comet/iframe`), and
 * SockJS xhr-streaming. A stream the server ends is reopened at once: cometkit ones from the last
 * cursor (nothing may be lost), SockJS with the same session (the server queues meanwhile), plain
 * SSE with nothing to resume from (whatever is published meanwhile is counted as missed).
 */
import { randomBytes } from 'node:crypto';
import { openStream, sleep, type RequestSpec } from './http';
import { Connection, churnRequest, type Protocol, type ProtocolContext, type Subscription } from './protocol';
import type { SubState, Tracker } from './tracker';

/** Cuts a growing text into pieces at `delimiter`, keeping the unfinished tail. */
class Splitter {
  private rest = '';
  constructor(private readonly delimiter: string) {}

  feed(text: string, onPiece: (piece: string) => void): void {
    const data = this.rest + text;
    let start = 0;
    for (let at = data.indexOf(this.delimiter); at >= 0; at = data.indexOf(this.delimiter, start)) {
      onPiece(data.slice(start, at));
      start = at + this.delimiter.length;
    }
    this.rest = data.slice(start);
  }

  reset(): void {
    this.rest = '';
  }
}

/** How one protocol reads its stream. `closed` means the server closed for good: do not reopen. */
interface StreamReader {
  request(): RequestSpec;
  feed(text: string, arrival: number): void;
  /** Called before each (re)open. */
  reset(): void;
  closed?: boolean;
}

function streamLoop(context: ProtocolContext, reader: StreamReader): Subscription {
  const connection = new Connection(context.port);
  const { tracker } = context;
  const connect = (): void => {
    reader.reset();
    const req = openStream(connection.endpoint, reader.request(), (text, arrival) => reader.feed(text, arrival), (error) => {
      if (connection.stopped || reader.closed) return;
      if (error) {
        tracker.errors++;
        void sleep(100).then(() => connection.stopped || connect());
      } else {
        tracker.reopened++;
        connect();
      }
    });
    connection.track(req);
  };
  connect();
  return connection;
}

// --- Server-Sent Events ---------------------------------------------------------------------

interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

function parseEvent(block: string): SseEvent | undefined {
  let event = 'message';
  let data: string | undefined;
  let id: string | undefined;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
    if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  return data === undefined ? undefined : { event, data, id };
}

function sseReader(path: (cursor: string) => string, context: ProtocolContext, sub: SubState): StreamReader {
  const events = new Splitter('\n\n');
  let cursor = context.cursor;
  return {
    request: () => ({ path: path(cursor), headers: { accept: 'text/event-stream' } }),
    reset: () => events.reset(),
    feed(text, arrival) {
      events.feed(text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text, (block) => {
        const event = parseEvent(block);
        if (!event) return;
        if (event.id) cursor = event.id;
        if (event.event === 'message') context.tracker.scan(sub, event.data, arrival);
        else if (event.event === 'gap') context.tracker.gaps++;
      });
    },
  };
}

/** Plain SSE (bare node:http, better-sse): `GET /sse`, no resume. */
export const plainSse: Protocol = {
  subscribe: (context, sub) => streamLoop(context, sseReader(() => '/sse', context, sub)),
  churn: (port, holdMs) => churnRequest(port, { path: '/sse', headers: { accept: 'text/event-stream' } }, true, holdMs),
};

export const cometkitSse: Protocol = {
  subscribe: (context, sub) => streamLoop(context, sseReader((cursor) => `/comet/sse?channel=bench/feed&cursor=${cursor}`, context, sub)),
  churn: (port, holdMs) => churnRequest(port, { path: '/comet/sse?channel=bench/feed' }, true, holdMs),
};

// --- cometkit frames: XHR streaming (NDJSON) and forever iframe ---------------------------------

const FRAME_CURSOR = /"cursor":"([^"]*)"/;

/** Reads one cometkit frame object (JSON text); returns the cursor it carries, if any. */
function readFrame(frame: string, tracker: Tracker, sub: SubState, arrival: number): string | undefined {
  if (frame.startsWith('{"type":"message"')) {
    tracker.scan(sub, frame, arrival);
    return FRAME_CURSOR.exec(frame)?.[1];
  }
  if (frame.trim() === '') return undefined;
  const parsed = JSON.parse(frame) as { type: string; cursor?: string; data?: { seq: number; t: number } };
  if (parsed.type === 'message' && parsed.data) tracker.record(sub, parsed.data.seq, parsed.data.t, arrival);
  if (parsed.type === 'gap') tracker.gaps++;
  return parsed.cursor;
}

function frameReader(
  path: (cursor: string) => string,
  delimiter: string,
  unwrap: (piece: string) => string | undefined,
  context: ProtocolContext,
  sub: SubState,
): StreamReader {
  const pieces = new Splitter(delimiter);
  let cursor = context.cursor;
  return {
    request: () => ({ path: path(cursor) }),
    reset: () => pieces.reset(),
    feed(text, arrival) {
      pieces.feed(text, (piece) => {
        const frame = unwrap(piece);
        if (frame !== undefined) cursor = readFrame(frame, context.tracker, sub, arrival) ?? cursor;
      });
    },
  };
}

export const cometkitStream: Protocol = {
  subscribe: (context, sub) =>
    streamLoop(context, frameReader((cursor) => `/comet/stream?channel=bench/feed&cursor=${cursor}`, '\n', (line) => line, context, sub)),
  churn: (port, holdMs) => churnRequest(port, { path: '/comet/stream?channel=bench/feed' }, true, holdMs),
};

/** `…<script>p(FRAME);` → FRAME (the prelude's own scripts are skipped). */
function iframeFrame(piece: string): string | undefined {
  const start = piece.lastIndexOf('<script>p(');
  if (start < 0) return undefined;
  const end = piece.lastIndexOf(');');
  return end > start ? piece.slice(start + 10, end) : undefined;
}

export const cometkitIframe: Protocol = {
  subscribe: (context, sub) =>
    streamLoop(
      context,
      frameReader((cursor) => `/comet/iframe?channel=bench/feed&cursor=${cursor}&callback=parent.f`, '</script>', iframeFrame, context, sub),
    ),
  churn: (port, holdMs) => churnRequest(port, { path: '/comet/iframe?channel=bench/feed&callback=parent.f' }, true, holdMs),
};

// --- SockJS xhr-streaming ------------------------------------------------------------------------

function sockjsPath(): string {
  return `/sockjs/${Math.floor(Math.random() * 1000)}/${randomBytes(8).toString('hex')}/xhr_streaming`;
}

/** Lines: a 2,048 `h` prelude, `o` (open), `h` (heartbeat), `a[…]` (messages), `c[…]` (closed). */
function sockjsReader(context: ProtocolContext, sub: SubState): StreamReader {
  const lines = new Splitter('\n');
  const path = sockjsPath();
  const reader: StreamReader = {
    request: () => ({ method: 'POST', path }),
    reset: () => lines.reset(),
    feed(text, arrival) {
      lines.feed(text, (line) => {
        if (line.startsWith('a')) context.tracker.scan(sub, line, arrival);
        else if (line.startsWith('c')) reader.closed = true;
      });
    },
  };
  return reader;
}

export const sockjsXhrStreaming: Protocol = {
  subscribe: (context, sub) => streamLoop(context, sockjsReader(context, sub)),
  churn: (port, holdMs) => churnRequest(port, { method: 'POST', path: sockjsPath() }, true, holdMs),
};
