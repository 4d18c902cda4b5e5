/**
 * cometkit, as a user mounts it: one hub, built once, on Express (`app.use('/comet', …)`) or Koa
 * (`cometKoa(hub, { prefix: '/comet' })`), from the BUILT packages. Every transport the hub
 * serves is reachable under `/comet`. Options are the defaults except `maxConnections`, raised
 * so the scale runs (20,000 held) are not refused.
 *   argv[2]: express | koa | express-fast (the Express app behind `withComet`, the fast path)
 *            | node (diagnostic: `handleNode` on bare node:http, no framework)
 */
import http from 'node:http';
import * as builtCore from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { cometKoa } from '@cometkit/koa';
import express from 'express';
import Koa from 'koa';
import { runServer } from './harness';

// BENCH_CORE_MODULE: another build of the core (a candidate change), to measure it side by side.
const core: typeof builtCore = process.env.BENCH_CORE_MODULE ? await import(process.env.BENCH_CORE_MODULE) : builtCore;
const { createComet, handleNode, withComet } = core;
const framework = process.argv[2];
const hub = createComet({ limits: { maxConnections: 100_000 } });

function app(): http.RequestListener {
  if (framework === 'express') {
    const app = express();
    app.use('/comet', cometExpress(hub) as express.RequestHandler);
    return app;
  }
  if (framework === 'express-fast') {
    const app = express();
    app.get('/', (_req, res) => void res.send('app'));
    return withComet(hub, '/comet', app);
  }
  if (framework === 'koa') {
    const app = new Koa();
    app.use(cometKoa(hub, { prefix: '/comet' }) as unknown as Koa.Middleware);
    return app.callback();
  }
  if (framework === 'node') {
    return (req, res) => {
      if (req.url?.startsWith('/comet/')) void handleNode(hub.handle, req, res, { url: req.url.slice(6), raw: req });
      else res.writeHead(404).end();
    };
  }
  throw new Error(`cometkit server: unknown framework ${framework}`);
}

await runServer(http.createServer(app()), {
  held: () => hub.stats().connections,
  publish: (message) => hub.publish('bench/feed', message),
  // The cursor of a message on another channel: a subscriber starting there gets every later one.
  cursor: async () => (await hub.publish('bench/start', null)).cursor,
});
