/**
 * Peer: better-sse, one `Channel` broadcast to every `Session` (its documented fan-out pattern).
 * Defaults kept (keep-alive ping every 10 s, serializer JSON.stringify).
 */
import http from 'node:http';
import { createChannel, createSession } from 'better-sse';
import { runServer } from './harness';

const channel = createChannel();

const server = http.createServer(async (req, res) => {
  if (!req.url?.startsWith('/sse')) {
    res.writeHead(404).end();
    return;
  }
  const session = await createSession(req, res);
  channel.register(session);
});

await runServer(server, {
  held: () => channel.sessionCount,
  publish: (message) => channel.broadcast(message, 'message', { eventId: String(message.seq) }),
});
