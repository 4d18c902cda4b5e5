import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { CometHub } from '@cometkit/core';
import { type RunningServer, until } from '@cometkit/core/testing';
import { transportQuery } from './targets';

/** Heap, handles and hub counts before and after a run of abort cycles. */
export interface AbortFigures {
  cycles: number;
  heapBeforeMB: number;
  heapAfterMB: number;
  heapGrowthKB: number;
  handlesBefore: number;
  handlesAfter: number;
  connectionsAfter: number;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collects garbage until the heap stops shrinking (a few passes), and returns the heap in bytes. */
export function settledHeap(): number {
  let last = Infinity;
  for (let i = 0; i < 5; i++) {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= last * 0.99) return used;
    last = used;
  }
  return last;
}

const activeResources = (): number => process.getActiveResourcesInfo().filter((r) => r !== 'Timeout' && r !== 'Immediate').length;

/**
 * Opens `concurrency` requests on transport `name`, waits until the hub holds all of them, aborts
 * them all, and waits until the hub has released them: `cycles` requests in all, after a warm-up.
 */
export async function abortCycles(options: { hub: CometHub; server: RunningServer; name: string; cycles: number; concurrency?: number; timeLimitMs: number }): Promise<AbortFigures> {
  const { hub, server, name, cycles } = options;
  const concurrency = options.concurrency ?? 50;
  const deadline = Date.now() + options.timeLimitMs;
  const url = `${server.mount}/${name}?channel=aborts/${name}${transportQuery(name)}`;
  const held = (): number => hub.stats().connectionsByTransport[name] ?? 0;

  const round = async (): Promise<void> => {
    const requests = Array.from({ length: concurrency }, () => {
      const req = http.request(url, { agent: false });
      req.on('error', () => undefined); // the abort
      req.on('response', (res) => res.resume());
      req.end();
      return req;
    });
    await until(() => held() === concurrency, 10_000, () => `${concurrency} ${name} held, got ${held()}`);
    for (const req of requests) req.destroy();
    await until(() => held() === 0, 10_000, () => `${name} released, ${held()} still held`);
  };
  const rounds = Math.ceil(cycles / concurrency);
  const warmUp = Math.max(2, Math.ceil(rounds / 10));
  for (let i = 0; i < warmUp; i++) await round();
  const handlesBefore = activeResources();
  const heapBefore = settledHeap();
  let done = 0;
  for (let i = 0; i < rounds && Date.now() < deadline; i++, done += concurrency) await round();
  // Sockets close a little after the hub releases them.
  await until(() => activeResources() <= handlesBefore, 5_000).catch(() => undefined);
  const heapAfter = settledHeap();
  return {
    cycles: done,
    heapBeforeMB: Math.round(heapBefore / 1e4) / 100,
    heapAfterMB: Math.round(heapAfter / 1e4) / 100,
    heapGrowthKB: Math.round((heapAfter - heapBefore) / 1024),
    handlesBefore,
    handlesAfter: activeResources(),
    connectionsAfter: hub.stats().connections,
  };
}
