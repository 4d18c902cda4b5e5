import http from 'node:http';
import { createComet, type CometHub } from '@cometkit/core';
import { listen, type RunningServer } from '@cometkit/core/testing';

/* eslint-disable @typescript-eslint/no-require-imports */
/** Express 4 and Express 5, installed side by side (express4 is an npm alias), by name. */
export const expressMajors = [
  ['express4', require('express4')],
  ['express5', require('express')],
] as const;

/**
 * Builds an app of one Express major with `build`, serves it on a real socket and runs `body`
 * against it; the hub (by default one with HTTP publishing on) and the server are closed afterwards.
 */
export async function withExpressApp(
  express: any,
  build: (app: any, hub: CometHub) => void,
  body: (server: RunningServer, hub: CometHub) => Promise<void>,
  hub: CometHub = createComet({ httpPublish: true }),
): Promise<void> {
  const app = express();
  build(app, hub);
  const server = await listen(http.createServer(app));
  try {
    await body(server, hub);
  } finally {
    await hub.close();
    await server.close();
  }
}
