import http from 'node:http';
import { createComet, withComet, type CometHub } from '@cometkit/core';
import { listen, request, type RunningServer } from '@cometkit/core/testing';

// A log of one partition (the memory broker) knows only the one-position cursor: the partitioned
// form is refused as any malformed cursor is, on every route, exactly as before it existed.
let hub: CometHub;
let served: RunningServer;
beforeAll(async () => {
  hub = createComet();
  served = await listen(http.createServer(withComet(hub, '/comet', (_req, res) => res.end())));
});
afterAll(async () => {
  await hub.close();
  await served.close();
});

it.each(['poll', 'sse', 'stream'])('%s: a cursor of several positions is 400 bad_cursor on a one-partition log', async (route) => {
  const { cursor } = await hub.publish('a', 1);
  const epoch = cursor.split('-')[0];
  const answer = await request(`${served.mount}/${route}?channel=a&cursor=${epoch}-0_1`);
  expect([answer.status, answer.json<{ error: { code: string } }>().error.code]).toEqual([400, 'bad_cursor']);
  expect(hub.stats().connections).toBe(0);
});
