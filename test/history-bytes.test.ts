import { createComet, createMemoryBroker, parseChannel, type CometHub, type MemoryBroker, type ParsedChannel } from '@cometkit/core';
import { ChannelFilter } from '@cometkit/core/kit';
import { drivers, receive, type RunningServer } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

/**
 * Issue 21, finding 3, in small: 64 KiB messages, each read once over every HTTP transport (each
 * keeps its own framed copy on the entry), used to be kept by count alone, about 765 KiB each.
 * History now counts the frames and stays under its byte limit, dropping the oldest.
 */
const express5 = serverKinds.find((k) => k.name === 'express5')!;
const MAX_BYTES = 2 * 1024 * 1024;
const COUNT = 24;
const big = 'b'.repeat(64 * 1024);

describe('history read over every HTTP transport', () => {
  let hub: CometHub;
  let broker: MemoryBroker;
  let server: RunningServer;
  beforeAll(async () => {
    broker = createMemoryBroker({ maxBytes: MAX_BYTES });
    hub = createComet({ broker, jsonp: true });
    server = await express5.start(hub);
  });
  afterAll(async () => {
    await hub?.close();
    await server?.close();
  });

  it('keeps retained bytes under history.maxBytes, frames counted, dropping the oldest', async () => {
    let before = (await hub.publish('setup', null)).cursor;
    for (let i = 0; i < COUNT; i++) {
      const { cursor } = await hub.publish('big', { i, big });
      for (const driver of drivers) {
        const { messages } = await receive(driver, server.mount, 'channel=big', before, 1);
        expect(messages.map((m) => (m.data as { i: number }).i)).toEqual([i]);
      }
      before = cursor;
      expect(broker.historyBytes()).toBeLessThanOrEqual(MAX_BYTES);
    }
    // Each entry holds its payload, its JSON and a frame per transport that keeps one (poll, SSE,
    // stream, iframe): about six times its 64 KiB, so 2 MiB keeps five, where text alone would keep 16.
    const { epoch, position } = broker.head();
    const held = await broker.read({ epoch, position: 0 }, new ChannelFilter([parseChannel('big', true) as ParsedChannel]), COUNT + 1);
    expect(held.gap).toBe('expired');
    expect(held.entries.length).toBeLessThan(MAX_BYTES / (5 * 64 * 1024));
    expect(held.entries.at(-1)!.position).toBe(position);
    expect(broker.historyBytes() / held.entries.length).toBeGreaterThan(5 * 64 * 1024);
  });
});
