// One cometkit server process on a shared Redis, for the multi-process tests: a hub on the Redis
// broker, mounted with Express (KIND=express) or withComet in front of Express (KIND=withComet),
// on 127.0.0.1:PORT (0: any), with Bayeux at /bayeux on Redis sessions. Prints `listening PORT` once it serves; SIGTERM shuts it down.
// It loads the built packages (the test command builds them first).
import http from 'node:http';
import express from 'express';
import { createComet, withComet } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { createBayeux } from '@cometkit/bayeux';
import { createRedisBroker, createRedisSessionStore } from '@cometkit/redis';
import { Cluster } from 'ioredis';

const budget = Number(process.env.STREAM_BYTES ?? 4096);
// CLUSTER (host:port,…) instead of REDIS_URL: a Redis Cluster; PARTITIONS: the log's partition count.
const prefix = process.env.PREFIX ?? 'cometkit';
const nodes = process.env.CLUSTER?.split(',');
const where = nodes ? { cluster: nodes } : { url: process.env.REDIS_URL };
const broker = await createRedisBroker({ ...where, prefix, partitions: Number(process.env.PARTITIONS ?? 1) });
const sessions = await createRedisSessionStore(
  nodes ? { connection: new Cluster(nodes), prefix } : { url: process.env.REDIS_URL, prefix },
);
const hub = createComet({
  broker,
  httpPublish: true,
  // The tests move every transport, JSONP included, from process to process.
  jsonp: true,
  longPollTimeoutMs: 2_000,
  // Small budgets end streams often, so a streaming client too moves from process to process.
  streams: { byteBudget: budget },
  endRules: { sse: { byteBudget: budget } },
});
const bayeux = createBayeux(hub, { sessions });
const app = express();
app.use('/bayeux', cometExpress(bayeux));
app.get('/stats', (_req, res) => res.json({ pid: process.pid, ...hub.stats() }));
let server;
if (process.env.KIND === 'withComet') server = http.createServer(withComet(hub, '/comet', app));
else {
  app.use('/comet', cometExpress(hub));
  server = http.createServer(app);
}
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));

process.once('SIGTERM', async () => {
  bayeux.close();
  await hub.close();
  await broker.close();
  await sessions.close();
  server.close();
  server.closeAllConnections();
});
