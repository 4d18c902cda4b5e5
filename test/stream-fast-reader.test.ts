import type { ServerResponse } from 'node:http';
import { createComet, type CometHub } from '@cometkit/core';
import { drivers, messagesOf, type RunningServer, until } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

/**
 * A client reading as fast as it can is paced, not cut off as slow (issue 9, D5). History replay
 * used to write batch after batch with no regard for the socket, so a replay larger than
 * `maxBufferedBytes` piled up in the server's buffers and the stream ended `slow` although its
 * reader was keeping up. Replay now waits for the socket to drain. (The converse, a paused reader
 * cut off `slow` and resuming losslessly, is in the conformance suite.)
 */
const express5 = serverKinds.find((k) => k.name === 'express5')!;
const streaming = drivers.filter((d) => d.streaming);
const COUNT = 3_000;
const PAD = 'h'.repeat(1_000);
/** Far above the replay, so only a `slow` cut could end the stream. */
const BUDGET = 8 * 1024 * 1024;

describe.each(streaming)('history replay on $name to a fast reader', (driver) => {
  let hub: CometHub;
  let server: RunningServer;
  /** The server's side of each request, to see what it holds in its buffers. */
  let responses: ServerResponse[];
  const start = async (batchLimit?: number, byteBudget = BUDGET): Promise<void> => {
    hub = createComet({
      batchLimit,
      streams: { maxBufferedBytes: 256 * 1024, byteBudget },
      endRules: Object.fromEntries(streaming.map((d) => [d.name, { byteBudget }])),
    });
    server = await express5.start(hub);
    responses = [];
    server.server.on('request', (_req, res: ServerResponse) => responses.push(res));
  };
  afterEach(async () => {
    await hub?.close();
    await server?.close();
  });

  it('delivers 3 MB of history in order on one response, with no slow cut-off', async () => {
    await start();
    const channel = `replay/${driver.name}`;
    const from = (await hub.publish('setup', null)).cursor;
    for (let i = 0; i < COUNT; i++) await hub.publish(channel, { i, pad: PAD });

    const connection = await driver.connect(server.mount, `channel=${channel}&cursor=${from}`);
    // `open` comes once the whole history is written; an `end` (`slow`) comes instead when cut.
    await connection.waitFor((frames) => frames.some((f) => f.type === 'open' || f.type === 'end'), 20_000, 'the open frame after history');
    connection.close();

    expect(connection.frames.filter((f) => f.type === 'end' || f.type === 'gap')).toEqual([]);
    const seen = messagesOf(connection.frames).map((m) => (m.data as { i: number }).i);
    expect(seen).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(hub.stats().slowClientCutoffs).toBe(0);
  });

  it('writes history no faster than the socket drains: a paused reader leaves one batch in the buffers, then gets it all', async () => {
    // Batches of 10 × 10 KB, and more history than loopback's kernel buffers take (20 MB).
    await start(10, 64 * 1024 * 1024);
    const channel = `paced/${driver.name}`;
    const count = 2_000;
    const big = 'p'.repeat(10 * 1024);
    const from = (await hub.publish('setup', null)).cursor;
    for (let i = 0; i < count; i++) await hub.publish(channel, { i, big });

    const connection = await driver.connect(server.mount, `channel=${channel}&cursor=${from}`);
    connection.pause();
    const res = responses.at(-1)!;
    // The replay has met backpressure: from now on it may add at most one batch per drain.
    await until(() => res.writableNeedDrain, 10_000, 'the server socket to need a drain');
    const held = res.writableLength;
    expect(held).toBeLessThan(1024 * 1024); // unpaced, the whole replay but what the kernel took (many MB)
    expect(hub.stats().delivered).toBeLessThan(count);

    connection.resume();
    await connection.waitFor((frames) => frames.some((f) => f.type === 'open' || f.type === 'end'), 20_000, 'the open frame after history');
    connection.close();
    expect(connection.frames.filter((f) => f.type === 'end' || f.type === 'gap')).toEqual([]);
    const seen = messagesOf(connection.frames).map((m) => (m.data as { i: number }).i);
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(hub.stats().slowClientCutoffs).toBe(0);
  });
});
