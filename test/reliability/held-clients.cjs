// Child process of the shutdown scenario: opens many keep-alive HTTP/1.1 connections (as browsers
// and agents do), one request each, and tells its parent when each is answered. A child, so the
// 10,000 client sockets do not share the test process's file-descriptor limit with the server's.
// Raw sockets: an http.Agent would hide whether the server closes the connection after answering.
const net = require('node:net');

const { port, paths, count } = JSON.parse(process.argv[2]);
const sockets = [];
let answered = 0;
let keepAliveAnswers = 0;
let closedByServer = 0;
let connected = 0;
let errors = 0;

function complete(text) {
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return false;
  const headers = text.slice(0, head).toLowerCase();
  const body = text.slice(head + 4);
  const length = /\r\ncontent-length: *(\d+)/.exec(headers);
  if (length) return Buffer.byteLength(body) >= Number(length[1]);
  if (headers.includes('transfer-encoding: chunked')) return body.endsWith('0\r\n\r\n');
  return false; // read until close
}

for (let i = 0; i < count; i++) {
  const path = paths[i % paths.length];
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  let done = false;
  const answer = () => {
    if (done || !text.startsWith('HTTP/1.1 ')) return;
    done = true;
    answered++;
    // A poll answered during shutdown must close its connection. A stream's headers went out
    // long before: the server ending its socket is what counts there, and closeMs measures it.
    const headers = text.slice(0, text.indexOf('\r\n\r\n'));
    if (!/\r\ntransfer-encoding: *chunked/i.test(headers) && !/\r\nconnection: *close/i.test(headers)) keepAliveAnswers++;
  };
  socket.setEncoding('latin1');
  socket.on('connect', () => {
    connected++;
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    if (connected === count) process.send({ type: 'connected' });
  });
  socket.on('data', (chunk) => {
    text += chunk;
    if (complete(text)) answer();
  });
  socket.on('end', () => socket.end());
  socket.on('close', () => {
    closedByServer++;
    answer(); // a body read until close is complete at close
  });
  socket.on('error', () => errors++);
  sockets.push(socket);
}

process.on('message', (message) => {
  if (message.type === 'report') process.send({ type: 'report', answered, keepAliveAnswers, closedByServer, errors, connected });
  if (message.type === 'stop') {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  }
});
