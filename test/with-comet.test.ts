import http from 'node:http';
import express from 'express';
import Koa from 'koa';
import { createComet, withComet } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { drivers, listen, receive, request, until } from '@cometkit/core/testing';

// The fast path: the hub served from node:http before the app; everything else reaches the app.
// Each app answers `/comets` (a path that only starts like the prefix) with its own route, so the
// test sees that the request reached the app and not the hub.
describe.each([
  ['express', () => express().get('/home', (_req, res) => void res.send('app')).get('/comets', (_req, res) => void res.status(299).send('app: comets'))],
  [
    'koa',
    () =>
      new Koa()
        .use(async (ctx) => {
          if (ctx.path === '/home') ctx.body = 'app';
          else if (ctx.path === '/comets') [ctx.status, ctx.body] = [299, 'app: comets'];
        })
        .callback(),
  ],
] as const)('withComet in front of %s', (_name, build) => {
  it('serves every transport under the prefix and the app elsewhere', async () => {
    const hub = createComet({ jsonp: true });
    const server = await listen(http.createServer(withComet(hub, '/comet', build() as http.RequestListener)));
    try {
      expect((await request(`${server.origin}/home`)).text).toBe('app');
      const comets = await request(`${server.origin}/comets`);
      expect([comets.status, comets.text]).toEqual([299, 'app: comets']);
      for (const driver of drivers) {
        const from = (await hub.publish('x', 0)).cursor;
        await hub.publish('feed', driver.name);
        const got = await receive(driver, server.mount, 'channel=feed', from, 1);
        expect(got.messages.map((m) => m.data)).toEqual([driver.name]);
      }
      expect((await request(`${server.mount}/nope`)).json().error.code).toBe('not_found');
      await until(() => hub.stats().connections === 0);
    } finally {
      await hub.close();
      await server.close();
    }
  });
});

// A bug (a hook that throws, an answer Node refuses to write) is the app's business: `withComet`
// answers 500 and logs it once, Express hands it to the app's error middleware; nothing is left hanging.
describe('a bug behind the fast path and the Express mount', () => {
  const failing = (logged: unknown[]) =>
    createComet({
      httpPublish: true,
      authorize: (action) => {
        if (action === 'subscribe') throw new Error('bug in authorize');
        return true;
      },
      // A transport whose answer carries a header value Node refuses: writing it throws.
      transports: [{ name: 'badheader', open: () => ({ status: 200, headers: { 'x-bad': 'a\nb' }, body: 'x' }) }],
      logger: { error: (...args: unknown[]) => logged.push(args[0]) },
    } as Parameters<typeof createComet>[0]);

  it('withComet answers 500 with the JSON error body for either, and logs each once', async () => {
    const logged: unknown[] = [];
    const hub = failing(logged);
    const server = await listen(http.createServer(withComet(hub, '/comet', (_req, res) => void res.writeHead(404).end())));
    try {
      for (const path of ['/comet/poll?channel=a', '/comet/badheader']) {
        const answer = await request(`${server.origin}${path}`);
        expect([path, answer.status, answer.json().error.code]).toEqual([path, 500, 'internal']);
      }
      expect(logged).toEqual(['cometkit:node unexpected error', 'cometkit:node unexpected error']);
    } finally {
      await hub.close();
      await server.close();
    }
  });

  it("Express hands either to the app's error middleware", async () => {
    const logged: unknown[] = [];
    const hub = failing(logged);
    const seen: string[] = [];
    const app = express()
      .use('/comet', cometExpress(hub) as express.RequestHandler)
      .use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen.push(error.message);
        res.status(599).end();
      });
    const server = await listen(http.createServer(app));
    try {
      for (const path of ['/comet/poll?channel=a', '/comet/badheader']) expect((await request(`${server.origin}${path}`)).status).toBe(599);
      expect(seen[0]).toBe('bug in authorize');
      expect(seen[1]).toMatch(/Invalid character in header content/);
      expect(seen).toHaveLength(2);
    } finally {
      await hub.close();
      await server.close();
    }
  });
});
