import http from 'node:http';
import express from 'express';
import Koa from 'koa';
import { createComet, withComet } from '@cometkit/core';
import { request, until } from './support/http';
import { listen } from './support/servers';
import { drivers, receive } from './support/transport-drivers';

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
    const hub = createComet();
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
