/**
 * Peer: Socket.IO restricted to HTTP long-polling (`transports: ['polling']`), path
 * `/socket.io/`. A publish is `io.emit('m', message)` to every connected socket.
 */
import http from 'node:http';
import { Server } from 'socket.io';
import { runServer } from './harness';

const server = http.createServer();
const io = new Server(server, { transports: ['polling'], serveClient: false });

await runServer(server, {
  held: () => io.of('/').sockets.size,
  publish: (message) => io.emit('m', message),
});
