/**
 * cometkit's Bayeux endpoint (`@cometkit/bayeux`), as a user mounts it: one hub, `createBayeux(hub)`
 * mounted at `/faye` in Express (`app.use('/faye', cometExpress(bayeux))`), from the BUILT
 * packages. The load client speaks the same Bayeux long-polling as to Faye's own server; a publish
 * goes through the hub (`hub.publish('bench/feed', …)`: Bayeux's `/bench/feed`). Bayeux over
 * WebSocket is attached at the same path (`attachBayeuxWebSocket`) for the websocket row.
 *   argv[2]: express (default) | express-fast (the Express app behind `withComet`, the fast path)
 *            | node-fast (`withComet` in front of a plain node:http app with the publish route)
 *   BENCH_BAYEUX_FROM=/path/to/checkout: that checkout's built core and Bayeux instead (a before/after)
 */
import http from 'node:http';
import * as builtBayeux from '@cometkit/bayeux';
import * as builtCore from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import express from 'express';
import { PUBLISH_PATH, plainApp, publishRoute, runServer, type BenchMessage } from './target-server';

// BENCH_BAYEUX_FROM: another checkout (installed and built) whose core and Bayeux packages to serve, for a before/after.
const from = process.env.BENCH_BAYEUX_FROM;
const { createComet, withComet }: typeof builtCore = from ? await import(`${from}/packages/core/dist/index.js`) : builtCore;
const { attachBayeuxWebSocket, createBayeux }: typeof builtBayeux = from ? await import(`${from}/packages/bayeux/dist/index.js`) : builtBayeux;

const hub = createComet({ limits: { maxConnections: 100_000 } });
// Publishes go through the hub (the publish route), not through Bayeux: publishing stays off, its default.
const bayeux = createBayeux(hub);
const publish = (message: BenchMessage): Promise<unknown> => hub.publish('bench/feed', message);

const mode = process.argv[2] ?? 'express';
const publishHandler = publishRoute(publish);
const expressApp = express();
if (mode === 'express') expressApp.use('/faye', cometExpress(bayeux) as express.RequestHandler);
expressApp.post(PUBLISH_PATH, publishHandler);

const server = http.createServer(
  mode === 'node-fast' ? withComet(bayeux, '/faye', plainApp(publishHandler)) : mode === 'express-fast' ? withComet(bayeux, '/faye', expressApp) : expressApp,
);
attachBayeuxWebSocket(server, bayeux, { path: '/faye' });
await runServer(server, {
  // A subscribed session holds its connect whenever it is not reading an answer.
  held: () => hub.stats().connectionsByTransport.bayeux ?? 0,
  publish,
  cursor: async () => (await hub.publish('bench/start', null)).cursor,
});
