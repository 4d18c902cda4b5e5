import type { Page } from 'playwright-core';
import { createComet, type CometHub } from '@cometkit/core';
import { useBrowserPages } from './support/browser';
import { serverKinds } from './support/servers';
import type { RunningServer } from '@cometkit/core/testing';
import { withWebSocket } from '../packages/ws/test/support/ws-driver';

/**
 * Tab sharing (`share: true`) in headless Chromium: pages of one browser context share an origin,
 * so they share Web Locks and BroadcastChannels, as a user's tabs do.
 */
const express5 = withWebSocket(serverKinds.find((k) => k.name === 'express5')!);
const openPage = useBrowserPages();
let hub: CometHub;
let server: RunningServer;
let upgrades = 0;
beforeEach(async () => {
  hub = createComet();
  server = await express5.start(hub);
  upgrades = 0;
  server.server.on('upgrade', () => upgrades++);
});
afterEach(async () => {
  await hub.close();
  await server.close();
});

interface TabGlobals {
  cometkit: { createClient(options: unknown): TabClient };
  client: TabClient;
  got: { channel: string; data: unknown }[];
  events: string[];
}
interface TabClient {
  subscribe(channel: string, handler: (data: unknown, message: { channel: string }) => void): () => void;
  on(name: string, listener: (value: unknown) => void): void;
  readonly state: string;
}

/** Resolves once `test()` holds, checking every 10 ms (for what only the test's side can see). */
async function waitUntil(test: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !test(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/**
 * A tab: a page whose client (`share: true`) records every message of `channels` in `window.got`.
 * `sockets` collects, for each WebSocket the page opens, the channels the server says it holds.
 */
async function openTab(channels: string[], sockets: Map<Page, Set<string>>, init?: () => void, cursor?: string): Promise<Page> {
  const page = await openPage(`${server.origin}/app/page`);
  if (init) {
    await page.addInitScript(init);
    await page.reload();
  }
  page.on('websocket', (socket) => {
    const held = new Set(new URL(socket.url()).searchParams.getAll('channel'));
    sockets.set(page, held);
    socket.on('framereceived', ({ payload }) => {
      // A frame of lines is a batch of messages; answers to subscribe frames come alone.
      const text = String(payload);
      if (text.includes('\n')) return;
      const frame = JSON.parse(text) as { type: string; channels?: string[] };
      if (frame.type === 'subscribed' || frame.type === 'unsubscribed') sockets.set(page, new Set(frame.channels));
    });
  });
  await page.evaluate(([names, from]) => {
    const w = window as unknown as TabGlobals;
    w.got = [];
    w.events = [];
    w.client = w.cometkit.createClient({ url: '/comet', share: true, cursor: from, backoff: { minMs: 50, maxMs: 500 } });
    w.client.on('gap', (gap) => w.events.push(`gap ${(gap as { reason: string }).reason}`));
    w.client.on('error', () => w.events.push('error'));
    for (const name of names as string[]) w.client.subscribe(name, (data, { channel }) => w.got.push({ channel, data }));
  }, [channels, cursor] as const);
  return page;
}

/** Waits until the socket a tab holds carries every one of `channels` (as the server answered). */
const holding = (sockets: Map<Page, Set<string>>, channels: string[]): Promise<void> =>
  waitUntil(() => [...sockets.values()].some((held) => channels.every((c) => held.has(c))), `a socket holding ${channels}`);

async function got(page: Page, count: number): Promise<{ channel: string; data: unknown }[]> {
  await page.waitForFunction((n) => (window as unknown as TabGlobals).got.length >= n, count, { timeout: 10_000, polling: 20 });
  return page.evaluate(() => (window as unknown as TabGlobals).got);
}
const expected = (channel: string, values: unknown[]) => values.map((data) => ({ channel, data }));

it('four tabs share one connection; each gets its own and the common messages; the leader going loses nothing', async () => {
  const sockets = new Map<Page, Set<string>>();
  const tabs: Page[] = [];
  for (let i = 0; i < 4; i++) tabs.push(await openTab([`tab/${i}`, 'all'], sockets));
  await holding(sockets, ['tab/0', 'tab/1', 'tab/2', 'tab/3', 'all']);
  await waitUntil(() => hub.stats().connections === 1, 'one connection');
  expect(sockets.size).toBe(1);
  expect(upgrades).toBe(1);

  for (let i = 0; i < 4; i++) await hub.publish(`tab/${i}`, `only ${i}`);
  await hub.publish('all', 'before');
  for (const [i, tab] of tabs.entries()) {
    expect(await got(tab, 2)).toEqual([...expected(`tab/${i}`, [`only ${i}`]), ...expected('all', ['before'])]);
  }

  // The leader goes; messages keep coming while another tab takes over, and after.
  const leader = [...sockets.keys()][0]!;
  const rest = tabs.filter((t) => t !== leader);
  const closing = leader.close();
  const during = [];
  for (let n = 0; n < 20; n++) {
    during.push(`during ${n}`);
    await hub.publish('all', `during ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  await closing;
  await waitUntil(() => upgrades === 2 && hub.stats().connections === 1, 'the takeover', 3_000);
  await hub.publish('all', 'after');
  for (const tab of rest) {
    const i = tabs.indexOf(tab);
    const all = expected('all', ['before', ...during, 'after']);
    const messages = await got(tab, 1 + all.length);
    expect(messages).toEqual([...expected(`tab/${i}`, [`only ${i}`]), ...all]);
    expect(await tab.evaluate(() => (window as unknown as TabGlobals).events)).toEqual([]);
    expect(await tab.evaluate(() => (window as unknown as TabGlobals).client.state)).toBe('connected');
  }
  // The new leader holds every remaining tab's channels, and no longer the closed tab's.
  const closed = `tab/${tabs.indexOf(leader)}`;
  const now = [...sockets.entries()].find(([page]) => page !== leader)![1];
  await waitUntil(() => !now.has(closed), `the new socket dropping ${closed}`);
  expect([...now].sort()).toEqual(['all', ...rest.map((t) => `tab/${tabs.indexOf(t)}`)].sort());
  await hub.publish(closed, 'to nobody');
  for (const tab of rest) await hub.publish(`tab/${tabs.indexOf(tab)}`, 'last');
  for (const tab of rest) {
    const messages = await got(tab, 24);
    expect(messages.slice(23)).toEqual(expected(`tab/${tabs.indexOf(tab)}`, ['last']));
  }
});

it('a tab that subscribes later gets messages from its subscription on, and no other tab gets them', async () => {
  const sockets = new Map<Page, Set<string>>();
  const first = await openTab(['all'], sockets);
  const second = await openTab(['all'], sockets);
  await holding(sockets, ['all']);
  await hub.publish('late', 'before the subscription');
  // Once this reached both tabs the socket's position is past the message above.
  const marker = await hub.publish('all', 'marker');
  await got(first, 1);
  await got(second, 1);
  await second.evaluate(() => {
    const w = window as unknown as TabGlobals;
    w.client.subscribe('late', (data, { channel }) => w.got.push({ channel, data }));
  });
  await holding(sockets, ['all', 'late']);
  await hub.publish('late', 'after the subscription');
  await hub.publish('all', 'end');
  expect(await got(second, 3)).toEqual([...expected('all', ['marker']), ...expected('late', ['after the subscription']), ...expected('all', ['end'])]);
  expect(await got(first, 2)).toEqual(expected('all', ['marker', 'end']));
  expect(hub.stats().connections).toBe(1);
  // A message passed on twice (a leader that closed before it had passed on everything, then the
  // next one resuming from an older cursor) is delivered once: each tab drops it by its cursor.
  await first.evaluate(
    ([url, m]) => new BroadcastChannel(`cometkit ${new URL(url, location.href).href}`).postMessage({ t: 'msg', m }),
    ['/comet', { channel: 'all', cursor: marker.cursor, data: 'marker' }] as const,
  );
  await hub.publish('all', 'final');
  expect(await got(second, 4)).toEqual([...expected('all', ['marker']), ...expected('late', ['after the subscription']), ...expected('all', ['end', 'final'])]);
});

it('a gap reaches every tab', async () => {
  const elsewhere = createComet();
  const { cursor } = await elsewhere.publish('x', 1); // a cursor from another log (epoch)
  await elsewhere.close();
  const sockets = new Map<Page, Set<string>>();
  const tabs = [await openTab([], sockets, undefined, cursor), await openTab([], sockets, undefined, cursor)];
  for (const tab of tabs) await tab.evaluate(() => void (window as unknown as TabGlobals).client.subscribe('all', () => {}));
  for (const tab of tabs) {
    await tab.waitForFunction(() => (window as unknown as TabGlobals).events.length > 0, undefined, { polling: 20 });
    expect(await tab.evaluate(() => (window as unknown as TabGlobals).events)).toEqual(['gap epoch']);
  }
  expect(hub.stats().connections).toBe(1);
});

it('without Web Locks each tab connects by itself, and still works', async () => {
  const sockets = new Map<Page, Set<string>>();
  const noLocks = (): void => void delete (Navigator.prototype as { locks?: unknown }).locks;
  const tabs = [await openTab(['tab/0', 'all'], sockets, noLocks), await openTab(['tab/1', 'all'], sockets, noLocks)];
  expect(await tabs[0]!.evaluate(() => 'locks' in navigator)).toBe(false);
  await waitUntil(() => sockets.size === 2 && hub.stats().connections === 2, 'two connections');
  await holding(sockets, ['tab/1', 'all']);
  await hub.publish('tab/0', 'zero');
  await hub.publish('tab/1', 'one');
  await hub.publish('all', 'both');
  expect(await got(tabs[0]!, 2)).toEqual([...expected('tab/0', ['zero']), ...expected('all', ['both'])]);
  expect(await got(tabs[1]!, 2)).toEqual([...expected('tab/1', ['one']), ...expected('all', ['both'])]);
});
