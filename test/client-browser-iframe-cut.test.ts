import type { Page } from 'playwright-core';
import { createComet, type CometHub } from '@cometkit/core';
import { launchBrowser, type TestBrowser } from './support/browser';
import { clientStatus, eventIn, messagesIn, startPageClient } from './support/page-client';
import { serverKinds } from './support/servers';
import type { RunningServer } from '@cometkit/core/testing';

/**
 * The forever iframe after a cut (issue 8): a broken iframe response fires no event in the page,
 * so only silence shows it. The iframe's heartbeat is at most 2 s and the client's idle limit
 * follows from it (about 6 s), so the client notices within seconds, not the 45 s of a 20 s
 * heartbeat. The waits below are generous bounds on events, not sleeps.
 */
const express5 = serverKinds.find((k) => k.name === 'express5')!;
const NOTICED_WITHIN_MS = 15_000;

let browser: TestBrowser;
let hub: CometHub;
let server: RunningServer;
let page: Page | undefined;
beforeAll(async () => {
  browser = await launchBrowser();
  // The hub's default heartbeat (20 s): the iframe must shorten its own.
  hub = createComet({ longPollTimeoutMs: 3_000 });
  server = await express5.start(hub);
});
afterAll(async () => {
  await page?.close();
  await hub?.close();
  await server?.close();
  await browser?.close();
});

it('notices a cut forever iframe within seconds, reconnects, and gets what was published after the cut', async () => {
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/app/page`);
  const channel = 'cut/iframe';
  const cursor = (await hub.publish('setup', null)).cursor;
  // No idleTimeoutMs: the limit under test is the one the client derives from the server's heartbeat.
  await startPageClient(page, { url: '/comet', transports: ['iframe'], cursor, channel });
  await hub.publish(channel, 'before the cut');
  await messagesIn(page, 1);

  server.server.closeAllConnections();
  await hub.publish(channel, 'after the cut');

  const disconnected = await eventIn(page, 'disconnected', NOTICED_WITHIN_MS);
  expect(disconnected).toMatchObject({ name: 'disconnected' });
  const got = await messagesIn(page, 2, NOTICED_WITHIN_MS);
  expect(got.map((m) => m.data)).toEqual(['before the cut', 'after the cut']);
  const { events, state, transport } = await clientStatus(page);
  expect(transport).toBe('iframe');
  expect(state).toBe('connected');
  expect(events.filter((e) => e.name === 'connected')).toHaveLength(2);
  expect(events.filter((e) => e.name === 'gap')).toEqual([]);
});
