import type { Transport } from '../transport';
import { openStream, type StreamFraming } from './stream';

const PADDING = `:${' '.repeat(2048)}\n`;

/**
 * Server-Sent Events: `GET {mount}/sse?channel=…&cursor=…[&padding=1]`. Each message is an event
 * whose `id` is its cursor, so EventSource resumes by itself with `Last-Event-ID`.
 */
const framing = (retryMs: number): StreamFraming => ({
  name: 'sse',
  headers: { 'content-type': 'text/event-stream; charset=utf-8' },
  prelude: (request) => (request.query.get('padding') === '1' ? PADDING : '') + `retry: ${retryMs}\n\n`,
  message: (entry) => `id: ${entry.cursor}\ndata: ${entry.json}\n\n`,
  open: (cursor) => `event: open\nid: ${cursor}\ndata: {"cursor":"${cursor}"}\n\n`,
  gap: (reason, from, cursor) =>
    `event: gap\nid: ${cursor}\ndata: {"reason":"${reason}","from":${JSON.stringify(from)},"cursor":"${cursor}"}\n\n`,
  heartbeat: () => ':\n\n',
  end: (reason, cursor) => `event: end\nid: ${cursor}\ndata: {"reason":"${reason}","cursor":"${cursor}"}\n\n`,
});

export const sse: Transport = {
  name: 'sse',
  // EventSource sends Last-Event-ID when it reconnects, to the URL of its first request: the
  // header is newer than the query's cursor.
  readCursor: (request) => request.header('last-event-id') || request.query.get('cursor'),
  open: (context) => openStream(context, framing(context.hub.options.sseRetryMs)),
};
