import http from 'node:http';
import express from 'express';
import Koa from 'koa';
import { withComet, type CometHandler, type CometRequest } from '@cometkit/core';
import { toMountable, type Mountable } from '@cometkit/core/kit';
import { cometExpress } from '@cometkit/express';
import { cometKoa } from '@cometkit/koa';
import { listen, request } from '@cometkit/core/testing';

/** A neutral handler that is not a hub: echoes what it was asked. */
const echo: CometHandler = async (req: CometRequest) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ method: req.method, path: req.path, q: req.query.get('q') }),
});

/** The same, as an object that serves only `/echo` (so it can sit at an app's root). */
const echoObject = { handle: echo, serves: (path: string) => path === '/echo' };

const mounts: [string, (m: Mountable) => http.RequestListener][] = [
  ['cometExpress', (m) => express().use('/x', cometExpress(m) as never).use(cometExpress(echoObject) as never).use((_req, res) => void res.send('app'))],
  ['cometKoa', (m) => new Koa().use(cometKoa(m, { prefix: '/x' }) as never).use(cometKoa(echoObject) as never).use(async (ctx) => void (ctx.body = 'app')).callback()],
  ['withComet', (m) => withComet(m, '/x', withComet(echoObject, '', (_req, res) => void res.end('app')))],
];

describe.each(mounts)('%s mounts any neutral handler', (_name, build) => {
  it.each([
    ['a handler function', echo as Mountable],
    ['an object with handle only', { handle: echo } as Mountable],
  ])('serves %s under a mount, and one with serves() at the root only on its paths', async (_what, mountable) => {
    const server = await listen(http.createServer(build(mountable)));
    try {
      expect((await request(`${server.origin}/x/any/path?q=1`)).json()).toEqual({ method: 'GET', path: '/any/path', q: '1' });
      expect((await request(`${server.origin}/echo`)).json()).toMatchObject({ path: '/echo' });
      expect((await request(`${server.origin}/other`)).text).toBe('app');
    } finally {
      await server.close();
    }
  });
});

it('refuses something that is not a handler with a TypeError', () => {
  expect(() => toMountable({} as Mountable)).toThrow(TypeError);
  expect(() => cometExpress(42 as unknown as Mountable)).toThrow(TypeError);
});
