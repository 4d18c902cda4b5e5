import { createComet, type CometHub } from '@cometkit/core';
import { type Connection, describeConformance, drivers, messagesOf, type RunningServer } from '@cometkit/core/testing';
import { expressKinds, withCometKind } from '../packages/express/test/support/express-kinds';

// Every built-in transport on withComet (core's Node bridge) in front of Express 5; each adapter
// runs the suite in its own package (packages/express/test/net, packages/koa/test/net).
describeConformance({ kinds: [withCometKind], drivers });

describe('end rules per transport', () => {
  let hub: CometHub;
  let server: RunningServer;
  const open: Connection[] = [];
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await hub.close();
    await server.close();
  });

  it('SSE has no byte budget by default (EventSource keeps no response text), XHR streaming has', async () => {
    hub = createComet({ streams: { byteBudget: 4 * 1024 } });
    server = await expressKinds.find((k) => k.name === 'express5')!.start(hub);
    const sse = await drivers.find((d) => d.name === 'sse')!.connect(server.mount, 'channel=big');
    const stream = await drivers.find((d) => d.name === 'stream')!.connect(server.mount, 'channel=big');
    open.push(sse, stream);
    await Promise.all([sse, stream].map((c) => c.waitFor((f) => f.some((x) => x.type === 'open'))));
    for (let i = 0; i < 40; i++) await hub.publish('big', { i, pad: 'x'.repeat(1_000) });
    await sse.waitFor((f) => messagesOf(f).length === 40, 5_000, '40 messages on one SSE response');
    expect(sse.isEnded()).toBe(false);
    await stream.ended;
    expect(stream.frames[stream.frames.length - 1]).toMatchObject({ type: 'end', reason: 'budget' });
  });
});
