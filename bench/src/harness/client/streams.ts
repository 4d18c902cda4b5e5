/**
 * Streaming protocols: Server-Sent Events (bare `node:http`, better-sse, cometkit `/comet/sse`),
 * cometkit XHR streaming (`/comet/stream`, NDJSON) and forever iframe (`/comet/iframe`), and
 * SockJS xhr-streaming. A stream the server ends is reopened at once: cometkit ones from the last
 * cursor (nothing may be lost), SockJS with the same session (the server queues meanwhile), plain
 * SSE with nothing to resume from (whatever is published meanwhile is counted as missed).
 *
 * Reading is one pass per network read: the text up to the last complete frame is scanned for
 * messages (`{"seq":N,"t":T}`, escaped or not), its last cursor and any gap or close marker. That
 * is all the client needs, and it keeps the client's CPU per message near the minimum.
 */
import { randomBytes } from 'node:crypto';
import { sleep, type RequestSpec } from './http';
import { Connection, churnRequest, openStream, type Protocol, type ProtocolContext, type Subscription } from './protocol';
import type { SubState } from './tracker';

/** How one protocol frames its stream. */
interface Wire {
  /** Ends every frame. */
  delimiter: string;
  /** The request, given the last cursor seen. */
  request(cursor: string): RequestSpec;
  /** Text that starts a cursor in a frame, and the character that ends it. */
  cursorMark?: [string, string];
  /** Text that only a gap frame contains. */
  gapMark?: string;
  /** True when the server closed the session for good (SockJS `c[…]`): do not reopen. */
  closed?(complete: string): boolean;
}

function lastCursor(text: string, [start, end]: [string, string]): string | undefined {
  const at = text.lastIndexOf(start);
  if (at < 0) return undefined;
  const from = at + start.length;
  const to = text.indexOf(end, from);
  return to < 0 ? undefined : text.slice(from, to);
}

function count(text: string, mark: string): number {
  let n = 0;
  for (let at = text.indexOf(mark); at >= 0; at = text.indexOf(mark, at + mark.length)) n++;
  return n;
}

function streamLoop(context: ProtocolContext, sub: SubState, wire: Wire): Subscription {
  const connection = new Connection(context.port);
  const { tracker } = context;
  let cursor = context.cursor;
  let rest = '';
  let closed = false;
  const read = (text: string, arrival: number): void => {
    const data = rest + text;
    const end = data.lastIndexOf(wire.delimiter);
    if (end < 0) {
      rest = data;
      return;
    }
    const complete = data.slice(0, end + wire.delimiter.length);
    rest = data.slice(complete.length);
    tracker.scan(sub, complete, arrival);
    if (wire.cursorMark) cursor = lastCursor(complete, wire.cursorMark) ?? cursor;
    if (wire.gapMark) tracker.gaps += count(complete, wire.gapMark);
    if (wire.closed?.(complete)) closed = true;
  };
  const connect = (): void => {
    rest = '';
    openStream(connection.endpoint, wire.request(cursor), read, (error) => {
      if (connection.stopped || closed) return;
      if (error) {
        tracker.errors++;
        void sleep(100).then(() => connection.stopped || connect());
      } else {
        tracker.reopened++;
        connect();
      }
    });
  };
  connect();
  return connection;
}

const FEED = 'channel=bench/feed';

// --- Server-Sent Events ---------------------------------------------------------------------

const SSE_HEADERS = { accept: 'text/event-stream' };

/** Plain SSE (bare node:http, better-sse): `GET /sse`, no resume. */
export const plainSse: Protocol = {
  subscribe: (context, sub) => streamLoop(context, sub, { delimiter: '\n\n', request: () => ({ path: '/sse', headers: SSE_HEADERS }) }),
  churn: (port, holdMs) => churnRequest(port, { path: '/sse', headers: SSE_HEADERS }, true, holdMs),
};

/** cometkit SSE: every event's `id` is a cursor; `event: gap` signals lost history. */
export const cometkitSse: Protocol = {
  subscribe: (context, sub) =>
    streamLoop(context, sub, {
      delimiter: '\n\n',
      request: (cursor) => ({ path: `/comet/sse?${FEED}&cursor=${cursor}`, headers: SSE_HEADERS }),
      cursorMark: ['id: ', '\n'],
      gapMark: 'event: gap\n',
    }),
  churn: (port, holdMs) => churnRequest(port, { path: `/comet/sse?${FEED}`, headers: SSE_HEADERS }, true, holdMs),
};

// --- cometkit frame objects: XHR streaming (NDJSON) and the forever iframe ---------------------

const frames = (delimiter: string, request: (cursor: string) => RequestSpec): Wire => ({
  delimiter,
  request,
  cursorMark: ['"cursor":"', '"'],
  gapMark: '"type":"gap"',
});

export const cometkitStream: Protocol = {
  subscribe: (context, sub) => streamLoop(context, sub, frames('\n', (cursor) => ({ path: `/comet/stream?${FEED}&cursor=${cursor}` }))),
  churn: (port, holdMs) => churnRequest(port, { path: `/comet/stream?${FEED}` }, true, holdMs),
};

const IFRAME = `/comet/iframe?${FEED}&callback=parent.f`;

export const cometkitIframe: Protocol = {
  subscribe: (context, sub) => streamLoop(context, sub, frames('</script>', (cursor) => ({ path: `${IFRAME}&cursor=${cursor}` }))),
  churn: (port, holdMs) => churnRequest(port, { path: IFRAME }, true, holdMs),
};

// --- SockJS xhr-streaming ------------------------------------------------------------------------

function sockjsPath(): string {
  return `/sockjs/${Math.floor(Math.random() * 1000)}/${randomBytes(8).toString('hex')}/xhr_streaming`;
}

/** Lines: a 2,048 `h` prelude, `o` (open), `h` (heartbeat), `a[…]` (messages), `c[…]` (closed). */
export const sockjsXhrStreaming: Protocol = {
  subscribe(context, sub) {
    const path = sockjsPath(); // one session: a reopened stream resumes it
    return streamLoop(context, sub, {
      delimiter: '\n',
      request: () => ({ method: 'POST', path }),
      closed: (complete) => complete.startsWith('c[') || complete.includes('\nc['),
    });
  },
  churn: (port, holdMs) => churnRequest(port, { method: 'POST', path: sockjsPath() }, true, holdMs),
};
