/**
 * Allocations per poll cycle on the server: N held clients (raw keep-alive sockets in this
 * process), M publishes each answering every held one; the sampling heap profiler (objects
 * collected by minor and major GC included) runs over the publishes, and its samples are summed
 * by the function that allocated, counting only frames of cometkit's packages and Node's HTTP
 * server (the clients' own allocations are left out). Evidence for the Bayeux connect cycle.
 *
 *   tsx src/probes/alloc-cycle.ts [bayeux | poll] [N] [M]
 */
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { createBayeux } from '@cometkit/bayeux';
import { createComet, handleNode } from '@cometkit/core';

const mode = process.argv[2] ?? 'bayeux';
const n = Number(process.argv[3] ?? 200);
const m = Number(process.argv[4] ?? 50);
const hub = createComet({ limits: { maxConnections: 100_000 } });
const bayeux = createBayeux(hub);
const server = http.createServer((req, res) => {
  if (req.url!.startsWith('/faye')) void handleNode(bayeux.handle, req, res, { url: req.url!.slice(5), raw: req });
  else void handleNode(hub.handle, req, res, { url: req.url!.slice(6), raw: req });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const post = async (message: object): Promise<{ clientId?: string }[]> => {
  const res = await fetch(`http://127.0.0.1:${port}/faye`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([message]) });
  return (await res.json()) as { clientId?: string }[];
};
let answers = 0;
/** One client: sends its next request as soon as an answer is complete (Content-Length bodies). */
async function client(i: number): Promise<void> {
  let request: () => string;
  if (mode === 'bayeux') {
    const [reply] = await post({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] });
    const clientId = reply!.clientId!;
    await post({ channel: '/meta/subscribe', clientId, subscription: '/bench/feed' });
    let id = 0;
    request = () => {
      const body = JSON.stringify([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: String(++id) }]);
      return `POST /faye HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
  } else {
    let cursor = '';
    let last = '';
    request = () => {
      const match = /"cursor":"([^"]+)"/.exec(last);
      if (match) cursor = match[1]!;
      return `GET /comet/poll?channel=bench/feed${cursor ? `&cursor=${cursor}` : ''} HTTP/1.1\r\nhost: x\r\n\r\n`;
    };
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 30)}` });
    return loop(socket, request, (text) => (last = text));
  }
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % 30)}` });
  return loop(socket, request, () => {});
}
function loop(socket: net.Socket, request: () => string, seen: (text: string) => void): Promise<void> {
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      seen(buffered.slice(end + 4, end + 4 + length));
      buffered = buffered.slice(end + 4 + length);
      answers++;
      socket.write(request());
    }
  });
  socket.write(request());
  return Promise.resolve();
}
for (let i = 0; i < n; i++) await client(i);
const held = (): number => hub.stats().connections;
const settle = async (answered: number): Promise<void> => {
  while (answers < answered || held() < n) await new Promise((resolve) => setTimeout(resolve, 5));
};
await settle(0);
/** One publish, then every held client answered and holding again. */
const cycle = async (data: object): Promise<void> => {
  const before = answers;
  await hub.publish('bench/feed', data);
  await settle(before + n);
};
for (let k = 0; k < 20; k++) await cycle({ k }); // warm-up
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const answered0 = answers;
for (let k = 0; k < m; k++) await cycle({ seq: k, t: 1 });
const cycles = answers - answered0;
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
const ours = (url: string): boolean => url.includes('/packages/') || url.startsWith('node:_http') || url.startsWith('node:internal/streams') || url.startsWith('node:events');
const byFunction = new Map<string, number>();
let total = 0;
const walk = (node: Node, inServer: boolean): void => {
  const here = inServer || (ours(node.callFrame.url) && !node.callFrame.url.includes('alloc-cycle'));
  if (here && node.selfSize > 0) {
    const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-3).join('/')}:${node.callFrame.lineNumber}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  for (const child of node.children) walk(child, here && !node.callFrame.url.includes('alloc-cycle'));
};
walk(profile.head, false);
process.stdout.write(`${mode}: ${cycles} cycles, ${(total / cycles).toFixed(0)} bytes allocated per cycle by the server (sampled)\n`);
for (const [key, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) process.stdout.write(`${(bytes / cycles).toFixed(0).padStart(6)}  ${key}\n`);
process.exit(0);
