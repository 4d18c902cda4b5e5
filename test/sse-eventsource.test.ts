import { EventSource } from 'eventsource';
import { createComet, type CometHub } from '@cometkit/core';
import { type RunningServer, until } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

/**
 * A real EventSource client (the `eventsource` package) against a sustained publisher (issue 9,
 * D8). Every end of an SSE stream costs a native EventSource its whole `retry:` wait before it
 * reconnects; with a byte budget on SSE that capped a subscriber at about 64 KiB/s and its lag
 * grew without bound. The stream must stay one connection while 1 KB messages come at ~1 MB/s.
 */
const express5 = serverKinds.find((k) => k.name === 'express5')!;
const COUNT = 3_000; // 3 s at 1,000 messages a second
const PER_MS = 1; // messages per millisecond of the schedule: 1 KB each, about 1 MB/s
const PAD = 'x'.repeat(1_000);

let hub: CometHub;
let server: RunningServer;
let source: EventSource | undefined;
beforeAll(async () => {
  // The hub's defaults: a 128 KiB stream byte budget, `retry: 2000`.
  hub = createComet({});
  server = await express5.start(hub);
});
afterAll(async () => {
  source?.close();
  await hub?.close();
  await server?.close();
});

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

it('keeps up with 1 KB messages at about 1 MB/s on one connection, every message once and in order', async () => {
  const channel = 'load/sse';
  const cursor = (await hub.publish('setup', null)).cursor;
  const received: number[] = [];
  const lags: number[] = [];
  let opens = 0;
  let errors = 0;
  source = new EventSource(`${server.mount}/sse?channel=${channel}&cursor=${cursor}`);
  source.addEventListener('open', () => opens++);
  source.addEventListener('error', () => errors++);
  source.addEventListener('message', (event) => {
    const { data } = JSON.parse(event.data) as { data: { i: number; at: number } };
    lags.push(Date.now() - data.at);
    received.push(data.i);
  });
  // The stream is live (its `ready` event) before the clock starts.
  await new Promise<void>((resolve) => source!.addEventListener('ready', () => resolve(), { once: true }));

  const started = Date.now();
  for (let i = 0; i < COUNT; i++) {
    await hub.publish(channel, { i, at: Date.now(), pad: PAD });
    // Every 10 messages, wait for the schedule (a burst of 10 per 10 ms), letting the client read.
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) / PER_MS - Date.now())));
  }
  // Everything arrived, or the stream broke (then there is no point waiting out its retries).
  await until(() => received.length >= COUNT || errors > 0, 20_000, () => `${received.length} of ${COUNT} messages, ${opens} opens`);

  const sorted = [...lags].sort((a, b) => a - b);
  console.log(
    `EventSource at ~1 MB/s: ${received.length} messages in ${Date.now() - started} ms, ` +
      `lag p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms; ${opens} open, ${errors} errors`,
  );
  expect({ opens, errors }).toEqual({ opens: 1, errors: 0 });
  expect(received).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  // Issue 9's bar, met here with a wide margin (a few ms measured on a loaded 2-core machine).
  expect(percentile(sorted, 99)).toBeLessThan(1_000);
});
