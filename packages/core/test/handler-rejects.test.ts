import { closedAfterEach, fakeRequest } from './support/fakes';

// A hook that throws is a bug of the app's: the handler's promise rejects with it (the adapters
// hand it to the framework), whatever entry point the request came through. It never throws out
// of `handle`, which would escape a caller's `.catch`.
const hubWith = closedAfterEach();
const bug = new Error('bug in authorize');
const throwing = (action: string): boolean => {
  if (action === 'subscribe') throw bug;
  return true;
};

describe('a synchronous authorize that throws', () => {
  it.each(['/poll?channel=a', '/jsonp?channel=a&callback=cb', '/sse?channel=a'])('rejects the handler of %s', async (url) => {
    const hub = hubWith({ authorize: throwing, jsonp: true });
    let answer: Promise<unknown> | undefined;
    expect(() => (answer = hub.handle(fakeRequest('GET', url)))).not.toThrow();
    await expect(answer).rejects.toBe(bug);
  });

  it('rejects a per-route endpoint', async () => {
    const hub = hubWith({ authorize: throwing });
    const endpoint = hub.endpoint({ channel: 'orders/:id' });
    let answer: Promise<unknown> | undefined;
    expect(() => (answer = endpoint(fakeRequest('GET', '/', { params: { id: '1' } })))).not.toThrow();
    await expect(answer).rejects.toBe(bug);
  });
});
