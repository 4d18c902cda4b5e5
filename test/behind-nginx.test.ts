import { createComet, type CometHub } from '@cometkit/core';
import { describeConformance, drivers, messagesOf, receive, request, type RunningServer, until } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';
import { startBehindNginx } from './support/nginx';

const express5 = serverKinds.find((k) => k.name === 'express5')!;

// Every transport through a real nginx with the config a user writes first.
describe('behind a real nginx (location / { proxy_pass … })', () => {
  let hub: CometHub;
  let proxied: RunningServer;
  beforeAll(async () => {
    hub = createComet({ longPollTimeoutMs: 5_000, jsonp: true });
    proxied = await startBehindNginx(await express5.start(hub));
  });
  afterAll(async () => {
    await hub.close();
    await proxied.close();
  });

  it('passes an ordinary request through', async () => {
    const ping = await request(`${proxied.origin}/app/ping`);
    expect([ping.text, ping.headers.server]).toEqual(['pong', expect.stringMatching(/^nginx/)]);
    const missing = await request(`${proxied.mount}/nope`);
    expect([missing.status, missing.json().error.code]).toEqual([404, 'not_found']);
  });

  it.each(drivers.map((d) => d.name))('%s: delivers in order and resumes from its cursor', async (name) => {
    const driver = drivers.find((d) => d.name === name)!;
    const channel = `order/${name}`;
    const from = (await hub.publish(channel, 'before')).cursor;
    for (let i = 1; i <= 5; i++) await hub.publish(channel, i);
    const first = await receive(driver, proxied.mount, `channel=${channel}`, from, 5);
    expect(first.messages.map((m) => m.data)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 6; i <= 8; i++) await hub.publish(channel, i);
    const next = await receive(driver, proxied.mount, `channel=${channel}`, first.cursor, 3);
    expect(next.messages.map((m) => m.data)).toEqual([6, 7, 8]);
  });

  it.each(drivers.map((d) => d.name))('%s: a live message arrives while the request is held open', async (name) => {
    const driver = drivers.find((d) => d.name === name)!;
    const channel = `live/${name}`;
    const before = hub.stats().connectionsByTransport[name] ?? 0;
    const opening = driver.connect(proxied.mount, `channel=${channel}`);
    if (driver.streaming) {
      const connection = await opening;
      // nginx buffers by default: only X-Accel-Buffering: no gets `open` through before the end.
      await connection.waitFor((f) => f.some((x) => x.type === 'open'), 5_000, `${name} open through nginx`);
      await hub.publish(channel, 'live');
      await connection.waitFor((f) => messagesOf(f).some((m) => m.data === 'live'), 5_000, `the live message through nginx`);
      expect(connection.isEnded()).toBe(false);
      connection.close();
    } else {
      await until(() => (hub.stats().connectionsByTransport[name] ?? 0) === before + 1, 5_000, `${name} held behind nginx`);
      await hub.publish(channel, 'live');
      const connection = await opening;
      await connection.ended;
      expect(messagesOf(connection.frames).map((m) => m.data)).toEqual(['live']);
    }
  });
});

// The whole transport conformance suite, through nginx in front of Express 5.
describeConformance({
  kinds: [{ name: 'express5 behind nginx', proxy: true, start: async (hub, setup) => startBehindNginx(await express5.start(hub, setup)) }],
  drivers,
});
