/**
 * Peer: Socket.IO restricted to HTTP long-polling (`transports: ['polling']`), path
 * `/socket.io/`. A publish is `io.emit('m', message)` to every connected socket.
 *   argv[2]: `websocket`: restricted to WebSocket instead (`transports: ['websocket']`).
 */
import http from 'node:http';
import { Server } from 'socket.io';
import { PUBLISH_PATH, publishRoute, runServer, type BenchMessage } from './target-server';

const publish = (message: BenchMessage): void => void io.emit('m', message);
const publishHandler = publishRoute(publish);
// Socket.IO answers its own path and leaves the rest to the server's other request listeners.
const server = http.createServer((req, res) => (req.method === 'POST' && req.url === PUBLISH_PATH ? publishHandler(req, res) : undefined));
const io = new Server(server, { transports: process.argv[2] === 'websocket' ? ['websocket'] : ['polling'], serveClient: false });

await runServer(server, { held: () => io.of('/').sockets.size, publish });
