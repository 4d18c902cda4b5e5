import { Selector } from '../src/selector';
import type { Transport } from '../src/transports/types';
import type { TransportName } from '../src/types';

const fake = (name: TransportName, streaming: boolean, cors: boolean, sameOriginOnly = false): Transport => ({
  name,
  streaming,
  heartbeats: streaming,
  cors,
  usable: (crossOrigin) => !(sameOriginOnly && crossOrigin),
  open: () => () => {},
});
const all: Record<TransportName, Transport> = {
  ws: fake('ws', true, true),
  sse: fake('sse', true, true),
  stream: fake('stream', true, true),
  iframe: fake('iframe', true, false, true),
  poll: fake('poll', false, true),
  jsonp: fake('jsonp', false, false),
};
const order: TransportName[] = ['sse', 'stream', 'iframe', 'poll', 'jsonp'];

describe('Selector', () => {
  it('moves on from a transport that never opened, then wraps around', () => {
    const selector = new Selector(order, all, false, undefined);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(`${selector.current!.name}:${selector.failed()}`);
    expect(seen).toEqual(['sse:next', 'stream:next', 'iframe:next', 'poll:next', 'jsonp:wrapped', 'sse:next']);
  });

  it('keeps a transport that opened once, whatever happens after', () => {
    const selector = new Selector(order, all, false, undefined);
    selector.failed();
    selector.opened();
    expect(selector.current!.name).toBe('stream');
    expect(selector.failed()).toBe('retry');
    expect(selector.current!.name).toBe('stream');
  });

  it('cross-origin: skips the iframe, and a CORS transport failing to open leaves JSONP only', () => {
    const selector = new Selector(order, all, true, undefined);
    expect(selector.current!.name).toBe('sse');
    expect(selector.failed()).toBe('next');
    expect(selector.current!.name).toBe('jsonp');
    expect(selector.failed()).toBe('retry');
    expect(selector.current!.name).toBe('jsonp');
  });

  it('cross-origin: a refused socket says nothing of CORS; a CORS transport failing drops the socket too', () => {
    const selector = new Selector(['ws', 'sse', 'poll', 'jsonp'], all, true, undefined);
    expect(selector.failed()).toBe('next');
    expect(selector.current!.name).toBe('sse');
    expect(selector.failed()).toBe('next');
    expect(selector.current!.name).toBe('jsonp');
    expect(new Selector(['ws', 'sse', 'jsonp'], all, true, false).current!.name).toBe('jsonp');
  });

  it('cross-origin with cors: false uses JSONP at once; with cors: true tries the CORS ones in turn', () => {
    expect(new Selector(order, all, true, false).current!.name).toBe('jsonp');
    const trusting = new Selector(order, all, true, true);
    trusting.failed();
    expect(trusting.current!.name).toBe('stream');
  });

  it('a buffered stream leaves the polling transports', () => {
    const selector = new Selector(order, all, false, undefined);
    expect(selector.dropStreams()).toBe(true);
    expect(selector.current!.name).toBe('poll');
    const streamsOnly = new Selector(['stream', 'sse'], all, false, undefined);
    expect(streamsOnly.dropStreams()).toBe(false);
    expect(streamsOnly.current!.name).toBe('stream');
  });

  it('forced to one transport, retries it', () => {
    const selector = new Selector(['poll'], all, false, undefined);
    expect(selector.failed()).toBe('retry');
    expect(selector.current!.name).toBe('poll');
  });

  it('has nothing to offer when no configured transport can run here', () => {
    expect(new Selector(['iframe'], all, true, undefined).current).toBeUndefined();
  });

  it('remembers, per server, what failed before a later transport opened, and skips it next time', () => {
    const first = new Selector(['ws', 'sse', 'poll'], all, false, undefined, 'http://a.test/comet');
    expect(first.failed()).toBe('next');
    first.opened(); // sse worked where ws did not
    expect(new Selector(['ws', 'sse', 'poll'], all, false, undefined, 'http://a.test/comet').current!.name).toBe('sse');
    expect(new Selector(['ws', 'sse', 'poll'], all, false, undefined, 'http://b.test/comet').current!.name).toBe('ws');
    // A failure with nothing opening after it (the server down) is not remembered.
    const down = new Selector(['ws', 'sse'], all, false, undefined, 'http://c.test/comet');
    down.failed();
    down.failed();
    expect(new Selector(['ws', 'sse'], all, false, undefined, 'http://c.test/comet').current!.name).toBe('ws');
    // Forced to what was remembered, it still tries it.
    expect(new Selector(['ws'], all, false, undefined, 'http://a.test/comet').current!.name).toBe('ws');
  });
});
