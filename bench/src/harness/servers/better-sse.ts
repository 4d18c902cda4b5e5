/**
 * Peer: better-sse, one `Channel` broadcast to every `Session` (its documented fan-out pattern).
 * Defaults kept (keep-alive ping every 10 s, serializer JSON.stringify).
 */
import http from 'node:http';
import { createChannel, createSession } from 'better-sse';
import { PUBLISH_PATH, publishRoute, runServer, type BenchMessage } from './target-server';

const channel = createChannel();
const publish = (message: BenchMessage): void => void channel.broadcast(message, 'message', { eventId: String(message.seq) });
const publishHandler = publishRoute(publish);

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === PUBLISH_PATH) return publishHandler(req, res);
  if (!req.url?.startsWith('/sse')) {
    res.writeHead(404).end();
    return;
  }
  const session = await createSession(req, res);
  channel.register(session);
});

await runServer(server, {
  held: () => channel.sessionCount,
  publish,
});
