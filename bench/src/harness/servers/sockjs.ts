/**
 * Peer: SockJS (sockjs-node), mounted at `/sockjs`; the load client speaks xhr-streaming. A
 * publish writes the message, as JSON text, to every open connection (SockJS has no broadcast).
 */
import http from 'node:http';
import sockjs from 'sockjs';
import { PUBLISH_PATH, publishRoute, runServer, type BenchMessage } from './target-server';

const connections = new Set<sockjs.Connection>();
const service = sockjs.createServer({ prefix: '/sockjs', log: () => {} });
service.on('connection', (connection) => {
  connections.add(connection);
  connection.on('close', () => connections.delete(connection));
});

function publish(message: BenchMessage): void {
  const text = JSON.stringify(message);
  for (const connection of connections) connection.write(text);
}

const publishHandler = publishRoute(publish);
const server = http.createServer((req, res) => (req.method === 'POST' && req.url === PUBLISH_PATH ? publishHandler(req, res) : undefined));
service.installHandlers(server);

await runServer(server, { held: () => connections.size, publish });
