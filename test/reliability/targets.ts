import http from 'node:http';
import {
  createComet,
  createMemoryBroker,
  withComet,
  type Broker,
  type CometHub,
  type CometOptions,
} from '@cometkit/core';
import { createRedisBroker } from '@cometkit/redis';
import { listen, type RunningServer } from '@cometkit/core/testing';
import { serverKinds } from '../support/servers';
import { useRedisServer } from '../../packages/redis/test/support/redis-server';

/** A server the scenarios run against; the hub is mounted at `/comet`. */
export interface Target {
  name: string;
  start(hub: CometHub): Promise<RunningServer>;
}

const kind = (name: string): Target => serverKinds.find((k) => k.name === name)!;

/** Express 5, Koa 3, and the `withComet` fast path in front of a bare app that answers 404. */
export const targets: readonly Target[] = [
  kind('express5'),
  kind('koa3'),
  {
    name: 'withComet',
    start: (hub) =>
      listen(
        http.createServer(
          withComet(hub, '/comet', (_req, res) => {
            res.statusCode = 404;
            res.end('not found');
          }),
        ),
      ),
  },
];

/** A broker the scenarios run on. Add others here as they land. */
export interface BrokerKind {
  name: string;
  create(): Broker | Promise<Broker>;
}

export const memoryBroker: BrokerKind = { name: 'memory', create: () => createMemoryBroker() };

/**
 * Every broker the scenarios run on: memory, and Redis on a redis-server of the test file's own
 * (started before its tests on a free loopback port, stopped by PID after them). Call it once at
 * the top of a test file. Each Redis broker made gets a key prefix nobody else used, so no
 * scenario sees another's log.
 */
export function useBrokerKinds(): readonly BrokerKind[] {
  const redis = useRedisServer();
  let logs = 0;
  return [memoryBroker, { name: 'redis', create: () => createRedisBroker({ url: redis().url, prefix: `reliability${++logs}` }) }];
}

/** A hub on a fresh broker of `brokerKind` and a server of `target`. */
export interface Setup {
  hub: CometHub;
  server: RunningServer;
  /** Closes the hub, the server and the broker (in that order). */
  close(): Promise<void>;
}

/** Starts a hub with `options` on a new broker, mounted on `target`. */
export async function setUp(target: Target, brokerKind: BrokerKind, options: CometOptions = {}): Promise<Setup> {
  const broker = await brokerKind.create();
  const hub = createComet({ jsonp: true, ...options, broker });
  const server = await target.start(hub);
  return {
    hub,
    server,
    async close() {
      await hub.close();
      await server.close();
      await broker.close();
    },
  };
}

/** The query a transport needs besides channels (the callback of JSONP and the iframe). */
export function transportQuery(name: string): string {
  if (name === 'jsonp') return '&callback=cometkit.cb_1';
  if (name === 'iframe') return '&callback=parent.onFrame';
  return '';
}
