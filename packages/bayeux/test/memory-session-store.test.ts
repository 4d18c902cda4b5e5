import { createMemorySessionStore } from '@cometkit/bayeux';
import { sessionStoreAudits } from '@cometkit/bayeux/testing';

describe('the memory session store keeps the store contract', () => {
  // One process's store: "another process" is a second handle on the same store.
  for (const audit of sessionStoreAudits) it(audit.name, () => audit.run({ create: () => createMemorySessionStore(), another: (store) => store }));
});

it('sessions in the same state share their cursor, channel list and answer list (what keeps an idle session small)', async () => {
  const store = createMemorySessionStore();
  // Equal values from different requests are different strings and arrays until the store shares them.
  const make = (id: string) => ({
    id,
    subscriptions: ['chat/room', 'chat/*'].map((c) => c.slice(0)),
    cursor: ['e1', '42'].join('-'),
    sent: [{ batch: 1, cursor: ['e1', '43'].join('-') }],
    batch: 1,
    ack: false,
    expiresAt: Date.now() + 60_000,
  });
  await store.create(make('a'));
  await store.create(make('b'));
  const [a, b] = [await store.get('a'), await store.get('b')];
  expect(a!.subscriptions).toBe(b!.subscriptions);
  expect(a!.sent).toBe(b!.sent);
  expect(a!.sent[0]).toBe(b!.sent[0]);
  expect(Object.isFrozen(a!.subscriptions) && Object.isFrozen(a!.sent)).toBe(true);
  // A change makes a new session; the other keeps its state.
  const changed = await store.subscribe('a', ['news']);
  expect(changed!.subscriptions).toEqual(['chat/room', 'chat/*', 'news']);
  expect((await store.get('b'))!.subscriptions).toEqual(['chat/room', 'chat/*']);
  expect((await store.update('b', { sent: [] }))!.sent).toEqual([]);
});

it('a connect’s update sets what its patch gives, and a session is gone at its expiry by the store’s clock', async () => {
  let now = 1_000;
  const store = createMemorySessionStore({ now: () => now });
  await store.create({ id: 'a', subscriptions: ['chat/room'], cursor: 'e-1', sent: [], batch: 0, ack: false, expiresAt: 2_000 });
  const updated = await store.update('a', { cursor: 'e-2', batch: 1, sent: [{ batch: 1, cursor: 'e-2' }], expiresAt: undefined });
  expect(updated).toMatchObject({ cursor: 'e-2', batch: 1, expiresAt: 2_000, subscriptions: ['chat/room'] });
  // The session stored is the one the update answered with: nothing is copied on the next read.
  expect(await store.get('a')).toBe(updated);
  await store.subscribe('a', ['news']);
  expect((await store.get('a'))!.subscriptions).toEqual(['chat/room', 'news']);
  now = 2_000;
  expect(await store.get('a')).toBeUndefined();
  expect(await store.update('a', { batch: 2 })).toBeUndefined();
});
