/**
 * Baseline: Server-Sent Events on bare `node:http`, the least a server can do. `GET /sse` holds
 * the response; a publish frames the message once and writes it to every held response. No
 * history, no resume, no heartbeat: the practical limit, not a product.
 *   argv[2]: `express` (diagnostic): the same handler as an Express route, to price Express itself.
 */
import http from 'node:http';
import express from 'express';
import { PUBLISH_PATH, publishRoute, runServer, type BenchMessage } from './target-server';

const streams = new Set<http.ServerResponse>();

const handler: http.RequestListener = (req, res) => {
  if (!req.url?.startsWith('/sse')) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(':\n\n');
  streams.add(res);
  res.on('close', () => streams.delete(res));
};

function publish(message: BenchMessage): void {
  const frame = `id: ${message.seq}\ndata: ${JSON.stringify(message)}\n\n`;
  for (const res of streams) res.write(frame);
}

const publishHandler = publishRoute(publish);
const server = http.createServer(
  process.argv[2] === 'express'
    ? express().get('/sse', handler).post(PUBLISH_PATH, publishHandler)
    : (req, res) => (req.method === 'POST' && req.url === PUBLISH_PATH ? publishHandler(req, res) : handler(req, res)),
);

await runServer(server, { held: () => streams.size, publish });
