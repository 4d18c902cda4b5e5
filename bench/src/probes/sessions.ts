/**
 * Memory per idle Bayeux session in the memory store (issue 11's target: a few hundred bytes):
 * N sessions made through the real endpoint (handshake, subscribe to one channel, one connect
 * answered at once), then the JS heap after full GCs against the heap before, over N.
 *
 *   tsx --expose-gc src/probes/sessions.ts [N]
 */
import { createBayeux } from '@cometkit/bayeux';
import { createComet, type CometRequest } from '@cometkit/core';

const N = Number(process.argv[2] ?? 20_000);

const signal = { aborted: false, addEventListener() {}, removeEventListener() {} };
function request(messages: object[]): CometRequest {
  const body = Buffer.from(JSON.stringify(messages));
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    params: {},
    header: (name) => ({ 'content-type': 'application/json', 'content-length': String(body.length) })[name],
    body: async () => body,
    signal,
    raw: undefined,
  };
}

async function send(bayeux: ReturnType<typeof createBayeux>, messages: object[]): Promise<Record<string, unknown>[]> {
  const response = await bayeux.handle(request(messages));
  if (!('body' in response)) throw new Error('expected a whole body');
  return JSON.parse(String(response.body)) as Record<string, unknown>[];
}

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const hub = createComet();
const bayeux = createBayeux(hub, { limits: { maxSessions: N + 1_000 } });
await hub.publish('chat/room', 'warm');
const make = async (): Promise<void> => {
  const [hs] = await send(bayeux, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
  const clientId = hs!.clientId as string;
  await send(bayeux, [{ channel: '/meta/subscribe', clientId, subscription: '/chat/room' }]);
  await send(bayeux, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', advice: { timeout: 0 } }]);
};
for (let i = 0; i < 100; i++) await make(); // warm-up: code and caches, not counted
const before = heap();
for (let i = 0; i < N; i++) await make();
const after = heap();
const count = await bayeux.sessions.count();
console.log(JSON.stringify({ sessions: count, bytesPerSession: Math.round((after - before) / N) }));
bayeux.close();
await hub.close();
