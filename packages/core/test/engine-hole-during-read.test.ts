import { createMemoryBroker } from '../src/log/memory-broker';
import { channel, channels, engineWith, fakeRequest, gatedBroker, holeyBroker, recorder, settle } from './support/fakes';

it('a hole in the feed while a subscriber reads history: it still gets every entry once, in order', async () => {
  const broker = gatedBroker(holeyBroker(createMemoryBroker(), new Set([3])), true);
  const { engine } = engineWith({}, broker);
  const from = engine.head();
  await engine.publish(channel('a'), 1);
  await engine.publish(channel('a'), 2);
  const seen = recorder();
  engine.subscribe({ transport: 't', channels: channels('a'), cursor: from, request: fakeRequest('GET', '/'), handlers: seen.handlers, lifetime: { ms: 1e9, reason: 'timeout' } });
  // Its read has been answered by the broker (entries 1 and 2), but the answer is still on its way
  // when entry 3 is published (and lost by the feed) and entry 4 arrives.
  await engine.publish(channel('a'), 3);
  await engine.publish(channel('a'), 4);
  broker.releaseAll();
  await settle();
  broker.releaseAll();
  await settle();
  expect(seen.entries().map((e) => e.position)).toEqual([1, 2, 3, 4]);
  await engine.close();
});
