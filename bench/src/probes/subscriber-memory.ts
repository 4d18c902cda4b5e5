/**
 * Heap per held subscriber in the engine alone (no HTTP), when every subscriber has a channel of
 * its own (per-user channels: one group per subscriber) and when all share one (one group):
 * what the engine's grouping of subscribers by channel list costs and saves.
 *
 *   tsx --expose-gc src/probes/subscriber-memory.ts [N]
 */
import { createComet, parseChannel, type CometRequest, type ParsedChannel } from '@cometkit/core';
import { type SubscriberHandlers } from '@cometkit/core/kit';

const n = Number(process.argv[2] ?? 20_000);
const request: CometRequest = {
  method: 'GET',
  path: '/',
  query: new URLSearchParams(),
  params: {},
  header: () => undefined,
  body: async () => Buffer.alloc(0),
  signal: { aborted: false, addEventListener: () => undefined, removeEventListener: () => undefined },
  raw: null,
};
const handlers: SubscriberHandlers = { batch: () => undefined, end: () => undefined };
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('subscriber-memory: run with --expose-gc');

async function heapPerSubscriber(channelOf: (i: number) => string): Promise<number> {
  const hub = createComet({ limits: { maxConnections: 10 * n } });
  const lists: ParsedChannel[][] = Array.from({ length: n }, (_, i) => [parseChannel(channelOf(i), true) as ParsedChannel]);
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  for (const channels of lists) hub.engine.subscribe({ transport: 'bench', channels, request, handlers, lifetime: { ms: 1e9, reason: 'timeout' } });
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc!();
  gc!();
  const bytes = (process.memoryUsage().heapUsed - before) / n;
  await hub.close();
  return bytes;
}

const own = await heapPerSubscriber((i) => `user/${i}`);
const shared = await heapPerSubscriber(() => 'room');
process.stdout.write(`${n} held subscribers, heap per subscriber: a channel each ${own.toFixed(0)} B, one shared channel ${shared.toFixed(0)} B\n`);
