/**
 * Baseline: a bare `ws` server on bare `node:http`, the least a WebSocket server can do. Sockets
 * open at `/ws`; a publish frames the message once and queues it, and the messages of one
 * event-loop turn go out as one frame per socket (newline-separated), as cometkit's engine
 * batches a turn's messages. No history, no resume, no heartbeat: the practical limit.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { PUBLISH_PATH, publishRoute, runServer, type BenchMessage } from './harness';

const publishHandler = publishRoute(publish);
const server = http.createServer((req, res) => (req.method === 'POST' && req.url === PUBLISH_PATH ? publishHandler(req, res) : res.writeHead(404).end()));
const sockets = new WebSocketServer({ server, path: '/ws' });
const open = new Set<WebSocket>();
sockets.on('connection', (socket) => {
  open.add(socket);
  socket.on('close', () => open.delete(socket));
});

let pending: string[] = [];
function publish(message: BenchMessage): void {
  if (pending.length === 0) setImmediate(flush);
  pending.push(JSON.stringify(message));
}
function flush(): void {
  const frame = pending.join('\n');
  pending = [];
  for (const socket of open) socket.send(frame);
}

await runServer(server, { held: () => open.size, publish });
