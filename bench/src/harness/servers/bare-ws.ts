/**
 * Baseline: a bare `ws` server on bare `node:http`, the least a WebSocket server can do. Sockets
 * open at `/ws`; a publish frames the message once and queues it, and the messages of one
 * event-loop turn go out as one frame per socket (newline-separated), as cometkit's engine
 * batches a turn's messages. No history, no resume, no heartbeat: the practical limit.
 */
import http from 'node:http';
import express from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { PUBLISH_PATH, publishRoute, runServer, WIRE_EPOCH, type BenchMessage } from './target-server';

const publishHandler = publishRoute(publish);
// argv `express` (reference): the publish route is an Express route, as in the cometkit targets'
// app, so the publish request's cost is the same on both sides.
const listener: http.RequestListener = process.argv.includes('express')
  ? express().post(PUBLISH_PATH, publishHandler)
  : (req, res) => (req.method === 'POST' && req.url === PUBLISH_PATH ? publishHandler(req, res) : res.writeHead(404).end());
const server = http.createServer(listener);
const sockets = new WebSocketServer({ server, path: '/ws' });
const open = new Set<WebSocket>();
sockets.on('connection', (socket) => {
  open.add(socket);
  socket.on('close', () => open.delete(socket));
});

// argv `wire` (diagnostic): each turn's messages in cometkit's compact frame (`frames=compact`,
// as @cometkit/client reads them: the epoch once, then `[position, channel, data]` for the first
// and `[position, data]` after it), so the bytes per message are cometkit's.
const wire = process.argv.includes('wire');
let position = 0;
const format = (message: BenchMessage): string => (wire ? `[${++position},${JSON.stringify(message)}]` : JSON.stringify(message));
const COMPACT_HEAD = `{"type":"messages","epoch":"${WIRE_EPOCH}","messages":[`;

let pending: string[] = [];
function publish(message: BenchMessage): void {
  if (pending.length === 0) setImmediate(flush);
  pending.push(format(message));
}
function flush(): void {
  const frame = wire ? `${COMPACT_HEAD}${pending[0]!.replace(',', ',"bench/feed",')}${pending.length > 1 ? ',' : ''}${pending.slice(1).join(',')}]}` : pending.join('\n');
  pending = [];
  for (const socket of open) socket.send(frame);
}

await runServer(server, { held: () => open.size, publish });
