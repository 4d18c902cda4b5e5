import type { Frame, Transport } from './types';

/**
 * Server-Sent Events through the browser's `EventSource`. The server's `open`, `gap` and `end`
 * events and its default `message` events carry the frames' fields as JSON. The client reconnects
 * by itself (with its cursor in the query) rather than letting `EventSource` retry, so every
 * transport resumes and dedupes the same way.
 */
export const sse: Transport = {
  name: 'sse',
  streaming: true,
  heartbeats: false,
  cors: true,
  usable: () => typeof EventSource === 'function',
  open(url, sink) {
    const source = new EventSource(url);
    for (const type of ['open', 'message', 'gap', 'end'] as const) {
      source.addEventListener(type, (event) => {
        // The browser's own `open` event (the response started) has no data; the server's has.
        if (!('data' in event)) return;
        sink.frame({ ...JSON.parse((event as MessageEvent<string>).data), type } as Frame);
      });
    }
    source.onerror = () => {
      source.close();
      sink.fail({ message: 'the event stream failed' });
    };
    return () => source.close();
  },
};
