import { createComet } from '../src/hub';
import { toMountable } from '../src/http/mountable';

/** The adapters (withComet, Express, Koa) hand the Node bridge the drain timeout `toMountable` reads. */
it("a hub's streams.drainTimeoutMs reaches the adapters; a bare handler leaves the bridge's default", async () => {
  const hub = createComet({ streams: { drainTimeoutMs: 1_234 } });
  expect(toMountable(hub).drainTimeoutMs).toBe(1_234);
  const plain = createComet();
  expect(toMountable(plain).drainTimeoutMs).toBe(10_000);
  expect(toMountable((request) => hub.handle(request)).drainTimeoutMs).toBeUndefined();
  await Promise.all([hub.close(), plain.close()]);
});
