// The cometkit demo: one hub, mounted in an Express app (PORT, default 3000) and a Koa app
// (PORT + 1). A message published on either page shows up on every page, whichever server it uses.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import { createComet } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { cometKoa } from '@cometkit/koa';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const page = await readFile(new URL('./public/index.html', import.meta.url), 'utf8');
const pageFor = (server) => page.replaceAll('{{SERVER}}', server);

const hub = createComet({
  httpPublish: true,
  // Visitors may publish only to the demo's rooms.
  authorize: (action, { channels }) => action === 'subscribe' || channels.every((c) => c.startsWith('chat/')),
});

const app = express();
app.use('/comet', cometExpress(hub));
app.get('/', (_req, res) => res.type('html').send(pageFor('Express')));

const koa = new Koa();
const router = new Router();
router.get('/', (ctx) => {
  ctx.type = 'html';
  ctx.body = pageFor('Koa');
});
koa.use(cometKoa(hub, { prefix: '/comet' }));
koa.use(router.routes());

// PORT=0 picks two free ports (the tests use that).
const servers = [
  ['Express', http.createServer(app), port],
  ['Koa', http.createServer(koa.callback()), port === 0 ? 0 : port + 1],
];
for (const [name, server, serverPort] of servers) {
  server.listen(serverPort, host, () => {
    console.log(`cometkit demo (${name}): http://${host}:${server.address().port}/`);
  });
}

// A clock on its own channel, so a fresh page shows something arriving.
const ticker = setInterval(() => hub.publish('chat/ticker', { from: 'server', text: new Date().toISOString() }), 10_000);

async function shutdown() {
  clearInterval(ticker);
  await hub.close();
  for (const [, server] of servers) server.close();
}
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
