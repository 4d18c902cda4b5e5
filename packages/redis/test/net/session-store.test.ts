import { Redis } from 'ioredis';
import { sessionStoreAudits, type SessionStoreHarness } from '@cometkit/bayeux/testing';
import { createRedisSessionStore, type RedisSessionStore } from '@cometkit/redis';
import { post } from '../../../bayeux/test/support/wire';
import { startBayeux } from '../../../bayeux/test/support/servers';
import { startTcpProxy } from '../support/tcp-proxy';
import { useRedisServer } from '../support/redis-server';

// The contract every session store keeps, on a real redis-server; each store gets sessions of its
// own (a prefix nobody else uses), and `another` is a second connection, as another process has.
const redis = useRedisServer();
let prefixes = 0;
const prefixOf = new WeakMap<object, string>();

const harness: SessionStoreHarness = {
  async create() {
    const prefix = `sessions${++prefixes}`;
    const store = await createRedisSessionStore({ url: redis().url, prefix });
    prefixOf.set(store, prefix);
    return store;
  },
  another: (store) => createRedisSessionStore({ url: redis().url, prefix: prefixOf.get(store)! }),
  close: (store) => (store as RedisSessionStore).close(),
};

describe('the session store contract on Redis', () => {
  it.each(sessionStoreAudits.map((audit) => [audit.name, audit] as const))('%s', (_name, audit) => audit.run(harness));
});

const session = (id: string, expiresAt: number) => ({ id, subscriptions: ['a/b'], cursor: 'e1-0', sent: [], batch: 0, ack: false, expiresAt });

it('keys live under one hash tag per session, with a TTL past expiresAt; a session swept elsewhere is named once', async () => {
  const admin = new Redis(redis().url);
  const [one, two] = await Promise.all([1, 2].map(() => createRedisSessionStore({ url: redis().url, prefix: 'tags', graceMs: 5_000 })));
  try {
    const expiresAt = Date.now() + 60_000;
    await one!.create(session('abc', expiresAt));
    expect((await admin.keys('tags:*')).sort()).toEqual(['tags:session:{abc}', 'tags:subscriptions:{abc}', 'tags:{sessions}:expiry']);
    for (const key of ['tags:session:{abc}', 'tags:subscriptions:{abc}']) expect(await admin.pexpiretime(key)).toBe(expiresAt + 5_000);
    // Two processes sweeping at once: the session goes, and only one of them names it.
    const swept = await Promise.all([one!.expire(expiresAt), two!.expire(expiresAt)]);
    expect(swept.flat()).toEqual(['abc']);
    expect(await admin.keys('tags:*')).toEqual([]);
    // Ids that could change a key's hash tag are never sent to Redis.
    expect(await one!.create(session('a}b', expiresAt))).toBe(false);
    expect(await one!.get('{x}')).toBeUndefined();
  } finally {
    await Promise.all([one!.close(), two!.close()]);
    admin.disconnect();
  }
});

it('a Redis that does not answer: every method rejects unavailable after its timeout (a Bayeux request gets a JSON 503), and works again once it does', async () => {
  const proxy = await startTcpProxy(redis().port);
  const store = await createRedisSessionStore({ url: `redis://127.0.0.1:${proxy.port}`, prefix: 'stall', commandTimeoutMs: 200 });
  const server = await startBayeux(undefined, { bayeux: { sessions: store } });
  try {
    await store.create(session('s1', Date.now() + 60_000));
    proxy.hold(true);
    const failed = await Promise.allSettled([store.get('s1'), store.subscribe('s1', ['x']), store.expire(Date.now())]);
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual(['unavailable', 'unavailable', 'unavailable']);
    const refused = await post(server.url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    expect([refused.status, refused.body?.error?.code]).toEqual([503, 'unavailable']);
    proxy.hold(false);
    proxy.cut();
    let back: unknown;
    for (let attempt = 0; attempt < 100 && back === undefined; attempt++) {
      back = await store.get('s1').catch(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 50)));
    }
    expect((back as { id: string }).id).toBe('s1');
  } finally {
    await server.close();
    await store.close();
    await proxy.close();
  }
});
