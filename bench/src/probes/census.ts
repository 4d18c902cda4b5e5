/**
 * Heap census: what one held connection costs on the server's JS heap, by kind of object. A
 * server (bare `node:http` SSE, or cometkit through `handleNode` with no framework, or on Express)
 * holds N connections opened by a child process; a heap snapshot is taken before and after, and
 * the difference is counted per constructor (objects), closure name and V8 internal type, per
 * connection. This is the evidence behind the per-connection memory notes in RESULTS.md.
 *
 *   tsx --expose-gc src/probes/census.ts [bare-sse | cometkit-sse | cometkit-poll | express-sse | express-poll | express-bayeux | cometkit-bayeux | bare-ws | cometkit-ws] [N]
 *
 * `express-bayeux`: `createBayeux(hub)` mounted at `/faye` in Express; each connection is a
 * subscribed Bayeux session whose `/meta/connect` is held (the handshake and subscribe go first).
 * `cometkit-bayeux`: the same endpoint through `handleNode` with no framework (as `withComet`
 * serves it), to set against `cometkit-poll`.
 * `bare-ws`: a bare `ws` server keeping its open sockets in a set; `cometkit-ws`: `attachWebSocket`
 * on the same server (each socket subscribed to one channel).
 */
import { fork } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { createBayeux } from '@cometkit/bayeux';
import { createComet, handleNode } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { attachWebSocket } from '@cometkit/ws';
import express from 'express';
import { WebSocketServer, type WebSocket } from 'ws';

const PATHS: Record<string, string> = {
  'bare-sse': '/sse',
  'cometkit-sse': '/comet/sse?channel=bench/feed',
  'cometkit-poll': '/comet/poll?channel=bench/feed',
  'express-sse': '/comet/sse?channel=bench/feed',
  'express-poll': '/comet/poll?channel=bench/feed',
  'express-bayeux': '/faye',
  'cometkit-bayeux': '/faye',
  'bare-ws': '/ws',
  'cometkit-ws': '/comet/ws?channel=bench/feed',
};

/** The opening handshake of a WebSocket client (the server answers 101; no frame is sent after). */
const upgradeRequest = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade\r\nupgrade: websocket\r\n` +
  `sec-websocket-version: 13\r\nsec-websocket-key: ${Buffer.from(Math.random().toString(36).slice(2, 18).padEnd(16, 'x')).toString('base64')}\r\n\r\n`;

/** A subscribed Bayeux session's clientId (handshake and subscribe over `fetch`). */
async function bayeuxSession(port: number): Promise<string> {
  const post = async (message: object): Promise<{ clientId?: string }[]> => {
    const res = await fetch(`http://127.0.0.1:${port}/faye`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([message]) });
    return (await res.json()) as { clientId?: string }[];
  };
  const [reply] = await post({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] });
  const clientId = reply!.clientId!;
  await post({ channel: '/meta/subscribe', clientId, subscription: '/bench/feed' });
  return clientId;
}

if (process.argv[2] === 'client') {
  // The child: opens N connections from 127.0.0.2–31 and keeps them until told to stop.
  const [port, path, n] = [Number(process.argv[3]), process.argv[4]!, Number(process.argv[5])];
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = path === '/faye' ? await bayeuxSession(port) : undefined;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 30)}` });
    if (path.includes('/ws')) socket.write(upgradeRequest(path));
    else if (clientId === undefined) socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    else {
      const body = JSON.stringify([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '1' }]);
      socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
    socket.on('error', () => {});
    sockets.push(socket);
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  process.send!('ready');
  process.on('message', () => {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  });
} else {
  const mode = process.argv[2] ?? 'cometkit-sse';
  const n = Number(process.argv[3] ?? 2_000);
  if (!PATHS[mode]) throw new Error(`census: unknown mode ${mode}`);
  const hub = createComet({ limits: { maxConnections: 100_000 } });
  const bare = new Set<http.ServerResponse>();
  const app = express().use('/comet', cometExpress(hub) as express.RequestHandler);
  const bayeux = createBayeux(hub);
  app.use('/faye', cometExpress(bayeux) as express.RequestHandler);
  const server = http.createServer((req, res) => {
    if (mode === 'bare-sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' }).write(':\n\n');
      bare.add(res);
      res.on('close', () => bare.delete(res));
    } else if (mode.startsWith('express-')) app(req, res);
    else if (mode === 'cometkit-bayeux') void handleNode(bayeux.handle, req, res, { url: req.url!.slice(5), raw: req });
    else void handleNode(hub.handle, req, res, { url: req.url!.slice(6), raw: req });
  });
  const bareSockets = new Set<WebSocket>();
  if (mode === 'bare-ws') {
    new WebSocketServer({ server, path: '/ws' }).on('connection', (socket) => {
      bareSockets.add(socket);
      socket.on('close', () => bareSockets.delete(socket));
    });
  }
  const cometSockets = mode === 'cometkit-ws' ? attachWebSocket(server, hub, { public: true }) : undefined;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const held = (): number => {
    if (mode === 'bare-sse') return bare.size;
    if (mode === 'bare-ws') return bareSockets.size;
    if (cometSockets) return cometSockets.size;
    return mode.endsWith('-bayeux') ? (hub.stats().connectionsByTransport.bayeux ?? 0) : hub.stats().connections;
  };

  const hold = async (count: number): Promise<() => void> => {
    const child = fork(fileURLToPath(import.meta.url), ['client', String(port), PATHS[mode]!, String(count)], {
      execArgv: ['--import', 'tsx'],
    });
    await new Promise((resolve) => child.once('message', resolve));
    for (let i = 0; i < 200 && held() < count; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    if (held() < count) throw new Error(`census: only ${held()} of ${count} held`);
    return () => child.send('stop');
  };

  /** Self size and count per kind of heap node. */
  const census = (): Map<string, [number, number]> => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('census: run with --expose-gc');
    gc();
    gc();
    const file = v8.writeHeapSnapshot(join(tmpdir(), `census-${process.pid}.heapsnapshot`));
    const snapshot = JSON.parse(readFileSync(file, 'utf8'));
    rmSync(file);
    const meta = snapshot.snapshot.meta;
    const fields: string[] = meta.node_fields;
    const types: string[] = meta.node_types[0];
    const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
    const kinds = new Map<string, [number, number]>();
    for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
      const kind = types[snapshot.nodes[i + type]]!;
      const key = kind === 'object' || kind === 'closure' ? `${kind} ${snapshot.strings[snapshot.nodes[i + name]]}` : `(${kind})`;
      const entry = kinds.get(key) ?? [0, 0];
      entry[0]++;
      entry[1] += snapshot.nodes[i + size];
      kinds.set(key, entry);
    }
    return kinds;
  };

  (await hold(50))(); // warm-up: every code path once
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = census();
  const stop = await hold(n);
  const after = census();
  stop();
  const rows = [...after].map(([key, [count, bytes]]) => {
    const [count0, bytes0] = before.get(key) ?? [0, 0];
    return { key, count: (count - count0) / n, bytes: (bytes - bytes0) / n };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  process.stdout.write(`${mode}: ${total.toFixed(0)} bytes of JS heap per held connection (self sizes, ${n} held)\n`);
  process.stdout.write('| bytes/conn | objects/conn | kind |\n|---:|---:|---|\n');
  for (const row of rows.filter((r) => Math.abs(r.bytes) >= 24)) {
    process.stdout.write(`| ${row.bytes.toFixed(0)} | ${row.count.toFixed(2)} | ${row.key} |\n`);
  }
  process.exit(0);
}
