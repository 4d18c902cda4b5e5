import { createClient, type CometClient, type DataOf, type GapReason } from '../src';

// Payload types by channel and pattern. `tsc -b` (part of the test command) checks this file: every
// `@ts-expect-error` must be an error, and everything else must type-check.
interface Chat {
  from: string;
  text: string;
}
type Channels = { 'chat/room': Chat; 'chat/lobby': Chat; 'prices/btc': number };

// Compile-time only: never called.
export function typeChecks(client: CometClient<Channels>, untyped: CometClient): void {
  client.subscribe('chat/room', (chat) => void (chat.text satisfies string));
  client.subscribe('chat/*', (chat, message) => void [chat.from satisfies string, message.channel satisfies string]);
  client.subscribe('prices/**', (price) => void (price satisfies number));
  // @ts-expect-error a chat message is no number
  client.subscribe('chat/room', (price: number) => void price);
  // @ts-expect-error a channel the map does not name carries unknown data
  client.subscribe('news/today', (data) => void data.headline);
  void client.publish('prices/btc', 42);
  // @ts-expect-error the wrong payload for the channel
  void client.publish('prices/btc', 'forty-two');
  // An untyped client lets each handler say what it expects.
  untyped.subscribe('anything', (n: number) => void n);
  void untyped.publish('anything', { any: 'value' });
  untyped.on('gap', (gap) => {
    void (gap.reason satisfies GapReason);
    // @ts-expect-error the server sends no other reason
    void (gap.reason === 'timeout');
  });
}

describe('payload types', () => {
  it('resolve a channel, a pattern, and nothing at all', () => {
    const room: DataOf<Channels, 'chat/room'> = { from: 'a', text: 'b' };
    const viaPattern: DataOf<Channels, 'chat/*'> = room;
    const price: DataOf<Channels, 'prices/**'> = 1;
    const other: DataOf<Channels, 'news/*'> = Symbol('anything goes into unknown');
    expect([viaPattern, price, typeof other]).toEqual([room, 1, 'symbol']);
  });

  it('a typed client is a client', () => {
    const client = createClient<Channels>({ url: 'http://127.0.0.1:9/comet' });
    expect(client.state).toBe('idle');
    client.close();
    expect(client.state).toBe('closed');
  });
});
