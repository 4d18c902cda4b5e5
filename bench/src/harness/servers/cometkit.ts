/**
 * cometkit, as a user mounts it: one hub, built once, on Express (`app.use('/comet', …)`) or Koa
 * (`cometKoa(hub, { prefix: '/comet' })`), from the BUILT packages. Every transport the hub
 * serves is reachable under `/comet`, and its WebSocket at `/comet/ws` (`attachWebSocket`). Options are the defaults except `maxConnections`, raised
 * so the scale runs (20,000 held) are not refused.
 *   argv[2]: express | koa | express-fast (the Express app behind `withComet`, the fast path)
 *            | node-fast (`withComet` in front of a plain node:http app: the bare baseline's app
 *            with cometkit added, its publish route a branch of that app)
 *            | node (diagnostic: `handleNode` on bare node:http, no framework)
 *   argv[3], argv[4] (optional): a Redis URL and a key prefix: the hub's broker is then
 *            `createRedisBroker` on that log (the Redis targets run two such processes on one log)
 */
import http from 'node:http';
import * as builtCore from '@cometkit/core';
import * as builtExpress from '@cometkit/express';
import * as builtKoa from '@cometkit/koa';
import { attachWebSocket } from '@cometkit/ws';
import { createRedisBroker } from '@cometkit/redis';
import express from 'express';
import Koa from 'koa';
import { PUBLISH_PATH, plainApp, publishRoute, runServer, type BenchMessage } from './target-server';

// `--from=DIR`: the core, Express and Koa packages of an earlier checkout (a before/after run);
// BENCH_CORE_MODULE: another build of the core alone (a candidate change), to measure it side by side.
const from = process.argv.find((arg) => arg.startsWith('--from='))?.slice('--from='.length);
const built = (pkg: string): string => `${from}/packages/${pkg}/dist/index.js`;
const core: typeof builtCore = from ? await import(built('core')) : process.env.BENCH_CORE_MODULE ? await import(process.env.BENCH_CORE_MODULE) : builtCore;
const { cometExpress }: typeof builtExpress = from ? await import(built('express')) : builtExpress;
const { cometKoa }: typeof builtKoa = from ? await import(built('koa')) : builtKoa;
const { createComet, handleNode, withComet } = core;
const [framework, redisUrl, prefix] = process.argv.slice(2).filter((arg) => !arg.startsWith('--from='));
const broker = redisUrl ? await createRedisBroker({ url: redisUrl, prefix }) : undefined;
const hub = createComet({ limits: { maxConnections: 100_000 }, jsonp: true, ...(broker ? { broker } : {}) });
const publish = (message: BenchMessage): Promise<unknown> => hub.publish('bench/feed', message);
// The app's own publish route (the HTTP publisher's target), mounted in the app's framework.
const publishHandler = publishRoute(publish);

// A plain node:http app: its publish route, as the bare baselines have it, and nothing else.
const plain = plainApp(publishHandler);

function app(): http.RequestListener {
  if (framework === 'express') {
    const app = express();
    app.use('/comet', cometExpress(hub) as express.RequestHandler);
    app.post(PUBLISH_PATH, publishHandler);
    return app;
  }
  if (framework === 'express-fast') {
    const app = express();
    app.get('/', (_req, res) => void res.send('app'));
    app.post(PUBLISH_PATH, publishHandler);
    return withComet(hub, '/comet', app);
  }
  if (framework === 'node-fast') {
    return withComet(hub, '/comet', plain);
  }
  if (framework === 'koa') {
    const app = new Koa();
    app.use(cometKoa(hub, { prefix: '/comet' }) as unknown as Koa.Middleware);
    app.use(async (ctx, next) => {
      if (ctx.method !== 'POST' || ctx.path !== PUBLISH_PATH) return next();
      ctx.respond = false;
      publishHandler(ctx.req, ctx.res);
    });
    return app.callback();
  }
  if (framework === 'node') {
    return (req, res) => {
      if (req.url?.startsWith('/comet/')) void handleNode(hub.handle, req, res, { url: req.url.slice(6), raw: req });
      else plain(req, res);
    };
  }
  throw new Error(`cometkit server: unknown framework ${framework}`);
}

const server = http.createServer(app());
// The WebSocket package is today's; an earlier core's hub is measured on HTTP only.
const sockets = from ? undefined : attachWebSocket(server, hub, { public: true });
/**
 * Subscribers held, counted as the bare servers count theirs: a WebSocket once its handshake is
 * done (the hub counts it from its admission, before the upgrade is answered), so a scenario that
 * waits for every subscriber starts once all the handshakes are over, as it does for `ws` alone.
 */
function held(): number {
  const { connections, connectionsByTransport } = hub.stats();
  // Neither count alone: a socket whose subscriber ended may still be closing, one admitted may
  // still be in its handshake.
  const ws = connectionsByTransport.ws ?? 0;
  return sockets ? connections - ws + Math.min(ws, sockets.size) : connections;
}
await runServer(server, {
  held,
  publish,
  // The cursor of a message on another channel: a subscriber starting there gets every later one.
  cursor: async () => (await hub.publish('bench/start', null)).cursor,
});
