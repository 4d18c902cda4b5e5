import type { CometHub } from '@cometkit/core';
import { type Connection, messagesOf, receive, type RunningServer, type TransportDriver, until } from '@cometkit/core/testing';
import { settledHeap } from './abort-cycles';

/** What paused readers cost the server, and what they got after resuming. */
export interface SlowReaderFigures {
  readers: number;
  published: number;
  cutOff: number;
  heapGrowthMB: number;
  lostAfterResume: number;
  duplicatedAfterResume: number;
}

/**
 * `readers` streams on `driver` stop reading (paused sockets) while a fast publisher publishes 2 KB
 * messages, until the hub has cut every one of them off (bounded by `maxMessages`). Each then reads
 * again and resumes from the last cursor it received: it must get every message exactly once.
 */
export async function slowReaders(options: { hub: CometHub; server: RunningServer; driver: TransportDriver; readers: number; maxMessages: number }): Promise<SlowReaderFigures> {
  const { hub, server, driver, readers } = options;
  const channel = `slow/${driver.name}`;
  const from = (await hub.publish(channel, -1)).cursor;
  const connections: Connection[] = [];
  for (let i = 0; i < readers; i++) {
    const connection = await driver.connect(server.mount, `channel=${channel}&cursor=${from}`);
    await connection.waitFor((f) => f.some((x) => x.type === 'open'), 5_000, 'open');
    connection.pause();
    connections.push(connection);
  }
  const cutoffsBefore = hub.stats().slowClientCutoffs;
  const heapBefore = settledHeap();
  let peak = 0;
  const payload = 'x'.repeat(2_000);
  let published = 0;
  while (published < options.maxMessages && hub.stats().slowClientCutoffs - cutoffsBefore < readers) {
    for (let i = 0; i < 50; i++) void hub.publish(channel, { n: published++, payload });
    await new Promise((r) => setImmediate(r));
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const cutOff = hub.stats().slowClientCutoffs - cutoffsBefore;
  let lost = 0;
  let duplicated = 0;
  for (const connection of connections) {
    connection.resume();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([connection.ended, new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    const first = messagesOf(connection.frames).map((m) => (m.data as { n: number }).n);
    const rest = await receive(driver, server.mount, `channel=${channel}`, connection.cursor(), published - first.length, 30_000);
    const all = [...first, ...rest.messages.map((m) => (m.data as { n: number }).n)];
    const unique = new Set(all);
    lost += published - unique.size;
    duplicated += all.length - unique.size;
  }
  await until(() => hub.stats().connections === 0, 10_000, 'every slow reader released');
  return { readers, published, cutOff, heapGrowthMB: Math.round((peak - heapBefore) / 1e4) / 100, lostAfterResume: lost, duplicatedAfterResume: duplicated };
}
