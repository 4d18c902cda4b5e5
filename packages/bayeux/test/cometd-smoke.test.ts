import { startBayeux } from './support/servers';
import { startCometd } from './support/cometd';

it('cometd smoke', async () => {
  const s = await startBayeux(undefined, { bayeux: { timeoutMs: 2000 } });
  for (const transport of ['long-polling', 'callback-polling'] as const) {
    const c = await startCometd(s.url, { transport });
    const hs = await c.call('handshake');
    expect(hs).toMatchObject({ successful: true, transport });
    expect(await c.call('subscribe', { channel: '/chat/*' })).toMatchObject({ successful: true });
    expect(await c.call('publish', { channel: '/chat/room', data: { hi: 'é✓' } })).toMatchObject({ successful: true });
    const m = await c.next((e) => e.event === 'message');
    expect(m).toMatchObject({ channel: '/chat/room', data: { hi: 'é✓' } });
    await c.call('disconnect');
    await c.close();
  }
  await s.close();
});
