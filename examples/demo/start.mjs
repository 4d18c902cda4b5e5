// The cometkit demo: one hub, mounted in an Express app (PORT, default 3000) and a Koa app
// (PORT + 1). The page is a small live chat with a price ticker, using the browser client from
// the hub's own /comet/client.js; it can pick the transport and cut every connection to show
// the client resuming from its cursor with nothing lost or repeated.
// With REDIS_URL the hub's log lives in Redis (@cometkit/redis): start two demo processes on two
// ports and each page shows the other's messages; a panel shows every process's hub stats.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import { createComet } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { cometKoa } from '@cometkit/koa';
import { attachWebSocket } from '@cometkit/ws';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const page = await readFile(new URL('./public/index.html', import.meta.url), 'utf8');
// Which process served the page: with several on one Redis, the pid tells them apart.
const pageFor = (server) => page.replaceAll('{{SERVER}}', `${server} · pid ${process.pid}`);

// Loaded only when asked for, so the single-process demo needs no Redis.
const broker = process.env.REDIS_URL
  ? await (await import('@cometkit/redis')).createRedisBroker({ url: process.env.REDIS_URL, prefix: 'cometkit-demo' })
  : undefined;

const hub = createComet({
  broker,
  httpPublish: true,
  // The demo's transport picker offers JSONP; every channel here is public.
  jsonp: true,
  // Visitors may publish only to the chat; the ticker is the server's.
  authorize: (action, { channels }) => action === 'subscribe' || channels.every((c) => c.startsWith('chat/')),
});

// Demo only: drops every open connection of both servers (held polls, streams, WebSockets), as a
// network failure or a restarting proxy would. Pages resume from their cursors.
const upgraded = new Set();
function cutEverything(res) {
  res.once('finish', () =>
    setImmediate(() => {
      servers.forEach(([, server]) => server.closeAllConnections());
      upgraded.forEach((socket) => socket.destroy());
    }),
  );
}

const app = express();
app.use('/comet', cometExpress(hub));
app.get('/', (_req, res) => res.type('html').send(pageFor('Express')));
app.post('/demo/cut', (_req, res) => {
  cutEverything(res);
  res.status(204).end();
});

const koa = new Koa();
koa.silent = true; // the cut resets sockets on purpose
const router = new Router();
router.get('/', (ctx) => {
  ctx.type = 'html';
  ctx.body = pageFor('Koa');
});
router.post('/demo/cut', (ctx) => {
  cutEverything(ctx.res);
  ctx.status = 204;
});
koa.use(cometKoa(hub, { prefix: '/comet' }));
koa.use(router.routes());

// PORT=0 picks two free ports (the tests use that).
const servers = [
  ['Express', http.createServer(app), port],
  ['Koa', http.createServer(koa.callback()), port === 0 ? 0 : port + 1],
];
for (const [name, server, serverPort] of servers) {
  attachWebSocket(server, hub, { public: true }); // the one line WebSocket takes: ws://…/comet/ws (a public demo: every channel is anyone's)
  server.on('upgrade', (_req, socket) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
  });
  server.listen(serverPort, host, () => {
    console.log(`cometkit demo (${name}): http://${host}:${server.address().port}/`);
  });
}

// A ticker on its own channels, so a fresh page shows something arriving: a random walk per symbol.
const prices = { CMT: 42, PSH: 118.5, LPL: 7.25 };
// With several processes on one Redis, start the others with TICKER=0 so one walk is shown.
const ticker = setInterval(() => {
  if (process.env.TICKER === '0') return;
  for (const [symbol, price] of Object.entries(prices)) {
    const next = Math.max(0.01, price * (1 + (Math.random() - 0.5) / 50));
    prices[symbol] = Math.round(next * 100) / 100;
    void hub.publish(`ticker/${symbol}`, { symbol, price: prices[symbol], change: Math.round((prices[symbol] - price) * 100) / 100 });
  }
  // How many connections the hub holds (both servers): tabs of one origin share one (`share: true`).
  void hub.publish('demo/stats', { connections: hub.stats().connections });
}, 1_000);

// Each process's hub stats on `hubs/<pid>` every 2 s, for the page's panel: through the shared
// log, every page sees every process.
let delivered = 0;
const stats = setInterval(() => {
  const now = hub.stats();
  const perSecond = Math.round((now.delivered - delivered) / 2);
  delivered = now.delivered;
  const ports = servers.map(([, server]) => server.address()?.port).join('+');
  void hub.publish(`hubs/${process.pid}`, { pid: process.pid, ports, connections: now.connectionsByTransport, perSecond, gaps: now.gaps }).catch(() => undefined);
}, 2_000);

async function shutdown() {
  clearInterval(ticker);
  clearInterval(stats);
  await hub.close();
  await broker?.close();
  for (const [, server] of servers) server.close();
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
