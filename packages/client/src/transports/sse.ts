import type { Frame, Transport } from './types';

/** SSE event names → frame types: the stream's start is `ready` (EventSource owns `open`). */
const EVENTS = { ready: 'open', message: 'message', gap: 'gap', end: 'end', heartbeat: 'heartbeat' } as const;

/**
 * Server-Sent Events through the browser's `EventSource`. The server's `ready`, `gap`, `end` and
 * `heartbeat` events and its default `message` events carry the frames' fields as JSON. The client
 * reconnects by itself (with its cursor in the query) rather than letting `EventSource` retry, so
 * every transport resumes and dedupes the same way.
 */
export const sse: Transport = {
  name: 'sse',
  streaming: true,
  heartbeats: true,
  cors: true,
  usable: () => typeof EventSource === 'function',
  // EventSource sends cookies across origins when asked, but no header of the app's own.
  open(url, sink, request) {
    const source = new EventSource(url, { withCredentials: request.credentials });
    for (const [event, type] of Object.entries(EVENTS)) {
      source.addEventListener(event, (e) => sink.frame(Object.assign(JSON.parse((e as MessageEvent<string>).data) as object, { type }) as Frame));
    }
    source.onerror = () => {
      source.close();
      sink.fail({ message: 'the event stream failed' });
    };
    return () => source.close();
  },
};
