import type { Transport } from '../transport';
import { openStream } from './open';
import { STREAM_HEADERS, type StreamFraming } from '../../kit/stream-writer';

const PADDING = `:${' '.repeat(2048)}\n`;

/**
 * Server-Sent Events: `GET {mount}/sse?channel=…&cursor=…[&padding=1]`. Each message is an event
 * whose `id` is its cursor, so EventSource resumes by itself with `Last-Event-ID`. The stream's
 * start is `event: ready` (not `open`, which is EventSource's own event), and heartbeats are events
 * too, not comments, so a page can tell a silent connection from a live one.
 */
const framing: StreamFraming = {
  name: 'sse',
  headers: { ...STREAM_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' },
  message: (entry) => `id: ${entry.cursor}\ndata: ${entry.json}\n\n`,
  open: (cursor, heartbeatMs) => `event: ready\nid: ${cursor}\ndata: {"cursor":"${cursor}","heartbeatMs":${heartbeatMs}}\n\n`,
  gap: (reason, from, cursor) =>
    `event: gap\nid: ${cursor}\ndata: {"reason":"${reason}","from":${JSON.stringify(from)},"cursor":"${cursor}"}\n\n`,
  heartbeat: () => 'event: heartbeat\ndata: {}\n\n',
  end: (reason, cursor) => `event: end\nid: ${cursor}\ndata: {"reason":"${reason}","cursor":"${cursor}"}\n\n`,
};

export const sse: Transport = {
  name: 'sse',
  // EventSource keeps no response text, so nothing needs a byte budget; and every end costs a
  // native EventSource its whole `retry:` wait before it reconnects (it cannot be told "now").
  endRules: { byteBudget: Infinity },
  open(context) {
    const prelude = (context.query.get('padding') === '1' ? PADDING : '') + `retry: ${context.options.sseRetryMs}\n\n`;
    // EventSource sends Last-Event-ID when it reconnects, to the URL of its first request: the
    // header is newer than the query's cursor.
    return openStream(context, framing, prelude, context.request.header('last-event-id') || context.query.get('cursor'));
  },
};
