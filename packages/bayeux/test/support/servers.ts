import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import Koa from 'koa';
import { createComet, type CometHub, type CometOptions } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { cometKoa } from '@cometkit/koa';
import { attachBayeuxWebSocket, createBayeux, type AttachedBayeuxWebSocket, type BayeuxEndpoint, type BayeuxOptions, type BayeuxWebSocketOptions } from '@cometkit/bayeux';

/** A hub with Bayeux at `/bayeux` and the hub's own routes at `/comet`, on 127.0.0.1 port 0. */
export interface BayeuxServer {
  hub: CometHub;
  bayeux: BayeuxEndpoint;
  server: http.Server;
  origin: string;
  /** `${origin}/bayeux` */
  url: string;
  /** With `webSocket`: the attachment, and every socket upgraded so far (to cut them). */
  ws?: AttachedBayeuxWebSocket;
  upgraded: Duplex[];
  close(): Promise<void>;
}

/** A mount the tests run on: Express 5 `app.use('/bayeux', …)` or Koa 3 under a prefix. */
export interface MountKind {
  name: 'express5' | 'koa3';
  app(hub: CometHub, bayeux: BayeuxEndpoint): http.RequestListener;
}

export const mountKinds: readonly MountKind[] = [
  {
    name: 'express5',
    app(hub, bayeux) {
      const app = express();
      app.use('/bayeux', cometExpress(bayeux));
      app.use('/comet', cometExpress(hub));
      return app;
    },
  },
  {
    name: 'koa3',
    app(hub, bayeux) {
      const app = new Koa();
      app.use(cometKoa(bayeux, { prefix: '/bayeux' }));
      app.use(cometKoa(hub, { prefix: '/comet' }));
      return app.callback();
    },
  },
];

/** Starts a server of `kind`; `wrap` may stand between the app and node:http (to cut sockets). */
export async function startBayeux(
  kind: MountKind = mountKinds[0]!,
  options: {
    hub?: CometOptions;
    bayeux?: BayeuxOptions;
    wrap?: (listener: http.RequestListener) => http.RequestListener;
    webSocket?: BayeuxWebSocketOptions;
  } = {},
): Promise<BayeuxServer> {
  const hub = createComet(options.hub);
  const bayeux = createBayeux(hub, options.bayeux);
  const listener = kind.app(hub, bayeux);
  const server = http.createServer(options.wrap ? options.wrap(listener) : listener);
  const upgraded: Duplex[] = [];
  let ws: AttachedBayeuxWebSocket | undefined;
  if (options.webSocket) {
    ws = attachBayeuxWebSocket(server, bayeux, options.webSocket);
    server.on('upgrade', (_req, socket: Duplex) => upgraded.push(socket));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hub,
    bayeux,
    server,
    origin,
    url: `${origin}/bayeux`,
    ws,
    upgraded,
    async close() {
      bayeux.close();
      await hub.close();
      ws?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
