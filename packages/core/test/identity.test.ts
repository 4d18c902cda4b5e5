import { createComet, type CometHub, type CometOptions, type Identity } from '@cometkit/core';
import { parseChannel, type ParsedChannel } from '@cometkit/core';
import { admit, type CometBodyResponse, type Subscriber } from '@cometkit/core/kit';
import { fakeRequest, type FakeRequestInit } from './support/fakes';

// Who a request is (authenticate) and what it may do (rules, authorize), at the doors of the hub.
const users: Record<string, Identity> = { 'token-alice': { id: 'alice', role: 'member' }, 'token-bob': { id: 'bob' } };
const authenticate = (request: { header(name: string): string | undefined }): Identity | undefined =>
  users[(request.header('authorization') ?? '').replace(/^Bearer /, '')];

let hub: CometHub;
afterEach(() => hub?.close());

const as = (who: string | undefined, init: FakeRequestInit = {}): FakeRequestInit => ({ ...init, headers: { ...init.headers, ...(who ? { authorization: `Bearer token-${who}` } : {}) } });
async function answer(method: string, url: string, init: FakeRequestInit): Promise<CometBodyResponse> {
  return (await hub.handle(fakeRequest(method, url, init))) as CometBodyResponse;
}
/** A poll that answers at once when allowed: one message waits after the cursor. */
async function poll(channel: string, who: string | undefined): Promise<string | undefined> {
  const { cursor } = await hub.publish(channel.replace(/\*+/g, 'x').replace(/:id/, 'x'), 1);
  const before = cursor.replace(/-\d+$/, '-0');
  return (await answer('GET', `/poll?channel=${encodeURIComponent(channel)}&cursor=${before}`, as(who))).error;
}

function start(options: CometOptions): void {
  hub = createComet({ authenticate, ...options });
}

describe('rules over identities', () => {
  const rules: CometOptions['rules'] = {
    'user/:id/**': (who, { id }) => who?.id === id,
    'chat/*': 'everyone',
    'news/**': { subscribe: 'identified', publish: 'nobody' },
  };

  it('refuses an anonymous ** with 401 and an identified one with 403', async () => {
    start({ rules });
    expect(await poll('**', undefined)).toBe('unauthorized');
    expect(await poll('**', 'alice')).toBe('forbidden');
  });

  it('lets a user read her own channels, not another user, and no wildcard around them', async () => {
    start({ rules });
    expect(await poll('user/alice/inbox', 'alice')).toBeUndefined();
    expect(await poll('user/alice/**', 'alice')).toBeUndefined();
    expect(await poll('user/alice/inbox', 'bob')).toBe('forbidden');
    expect(await poll('*/alice/inbox', 'alice')).toBe('forbidden');
    expect(await poll('user/*/inbox', 'alice')).toBe('forbidden');
  });

  it('answers 401 for what only an identified request may, then serves it once signed in', async () => {
    start({ rules });
    expect(await poll('news/world', undefined)).toBe('unauthorized');
    expect(await poll('news/world', 'bob')).toBeUndefined();
    expect(await poll('chat/room', undefined)).toBeUndefined();
  });

  it('holds the publish route to the same rules', async () => {
    start({ rules, httpPublish: true });
    const publish = (channel: string, who: string | undefined): Promise<CometBodyResponse> =>
      answer('POST', '/publish', as(who, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, data: 1 }) }));
    expect((await publish('user/alice/inbox', undefined)).error).toBe('unauthorized');
    expect((await publish('user/alice/inbox', 'bob')).error).toBe('forbidden');
    expect((await publish('user/alice/inbox', 'alice')).status).toBe(200);
    expect((await publish('news/world', 'alice')).error).toBe('forbidden');
  });
});

describe('authenticate and authorize', () => {
  it('hands authorize the identity, and both rules and authorize must allow', async () => {
    const seen: (string | undefined)[] = [];
    start({
      rules: { 'chat/*': 'everyone' },
      authorize: (_action, { identity }) => {
        seen.push(identity?.id);
        return identity?.role === 'member';
      },
    });
    expect(await poll('chat/room', 'alice')).toBeUndefined();
    expect(await poll('chat/room', 'bob')).toBe('forbidden');
    expect(await poll('chat/room', undefined)).toBe('unauthorized');
    expect(await poll('orders/1', 'alice')).toBe('forbidden'); // no rule: authorize is never asked
    expect(seen).toEqual(['alice', 'bob', undefined]);
  });

  it('waits for an async authenticate', async () => {
    hub = createComet({ authenticate: async (request) => authenticate(request), rules: { 'a/**': 'identified' } });
    expect(await poll('a/b', 'alice')).toBeUndefined();
    expect(await poll('a/b', undefined)).toBe('unauthorized');
  });

  it('takes an authenticate that answers no identity shape for a bug (the answer rejects)', async () => {
    hub = createComet({ authenticate: () => 'alice' as unknown as Identity });
    await expect(hub.handle(fakeRequest('GET', '/poll?channel=a'))).rejects.toThrow(/authenticate must return an identity/);
  });

  it('refuses hooks that are not functions when the hub is built', () => {
    expect(() => createComet({ authenticate: 'yes' as never })).toThrow(/authenticate must be a function/);
    expect(() => createComet({ authorize: true as never })).toThrow(/authorize must be a function/);
  });
});

it('rides on the subscriber admission registers', async () => {
  hub = createComet({ authenticate, rules: { a: 'identified' } });
  const subscriber = await new Promise<Subscriber>((resolve, reject) =>
    admit(
      hub.engine,
      {
        transport: 'test',
        channels: [parseChannel('a', false) as ParsedChannel],
        request: fakeRequest('GET', '/', as('alice')),
        handlers: { batch: () => undefined, end: () => undefined },
        lifetime: { ms: 0, reason: 'timeout' },
        deferRead: true,
      },
      { admitted: resolve, refused: reject, failed: reject },
    ),
  );
  expect(subscriber.identity).toEqual({ id: 'alice', role: 'member' });
  subscriber.end('done');
});
