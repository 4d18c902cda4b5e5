// Bayeux on a cometkit hub: Faye and CometD clients at /bayeux (every sub-path, as CometD posts to
// /bayeux/handshake, …), over WebSocket at ws://…/bayeux too (both clients try it first), the
// hub's own routes at /comet, and a page using Faye's browser client.
// A ticker published by the server reaches every client, whatever its protocol.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import express from 'express';
import { createComet } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { attachBayeuxWebSocket, createBayeux } from '@cometkit/bayeux';

const require = createRequire(import.meta.url);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const hub = createComet();
// Both are off by default; this example turns on what Faye and CometD clients use:
// - publishing: the page calls `client.publish('/chat/…')` (an app with sign-in would also check
//   who publishes where, with the hub's `authorize`);
// - callbackPolling: JSONP over GET, Faye's and CometD's fallback for a browser that cannot do
//   cross-origin long-polling. A GET may come from a `<script>` on any site, so turn it on only for
//   clients that need it; the hub's request screen still refuses cross-site requests with cookies.
// The page is served from this same origin, so it needs no `cors` option.
const bayeux = createBayeux(hub, { publishing: true, callbackPolling: true });
const fayeScript = await readFile(require.resolve('faye/client/faye-browser-min.js'), 'utf8');
const page = await readFile(new URL('./public/index.html', import.meta.url), 'utf8');

const app = express();
app.use('/bayeux', cometExpress(bayeux));
app.use('/comet', cometExpress(hub));
app.get('/faye.js', (_req, res) => res.type('application/javascript').send(fayeScript));
app.get('/', (_req, res) => res.type('html').send(page));

let tick = 0;
const ticker = setInterval(() => void hub.publish('chat/ticker', { text: `server tick ${++tick}` }), 5_000);
ticker.unref();

const server = http.createServer(app).listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`Bayeux example on http://${host}:${actual}/ (endpoint http://${host}:${actual}/bayeux)`);
});
// The one line for WebSocket: handshakes now list `websocket`, and Faye and CometD connect over it.
const sockets = attachBayeuxWebSocket(server, bayeux);

const stop = async () => {
  bayeux.close();
  await hub.close();
  sockets.close();
  server.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
