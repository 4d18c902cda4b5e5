import type { Page } from 'playwright-core';

/** What a test page's client was asked to do (see {@link startPageClient}). */
export interface PageClientOptions {
  /** The hub's mount URL as the page sees it. */
  url: string;
  /** Channel or pattern to subscribe to. */
  channel: string;
  transports?: string[];
  cursor?: string;
  bufferingTimeoutMs?: number;
  idleTimeoutMs?: number;
  credentials?: boolean;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** A message as the page recorded it. */
export interface PageMessage {
  channel: string;
  data: unknown;
}

/** An event as the page recorded it: its name and what the client passed. */
export type PageEvent = { name: string } & Record<string, unknown>;

interface PageGlobals {
  cometkit: { createClient(options: unknown): PageClient };
  client: PageClient;
  got: PageMessage[];
  events: PageEvent[];
}
interface PageClient {
  on(name: string, listener: (value: unknown) => void): void;
  subscribe(channel: string, handler: (data: unknown, message: { channel: string }) => void): () => void;
  publish(channel: string, data: unknown): Promise<{ cursor: string }>;
  readonly transport: string;
  readonly state: string;
  close(): void;
}

/**
 * In a page that loaded the client script: creates a client (short backoff), records every event
 * and every message of one subscription in `window.events` and `window.got`.
 */
export async function startPageClient(page: Page, options: PageClientOptions): Promise<void> {
  await page.evaluate((o) => {
    const w = window as unknown as PageGlobals;
    w.got = [];
    w.events = [];
    const client = w.cometkit.createClient({
      url: o.url,
      transports: o.transports,
      cursor: o.cursor,
      bufferingTimeoutMs: o.bufferingTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs,
      credentials: o.credentials,
      headers: o.headers,
      query: o.query,
      backoff: { minMs: 50, maxMs: 500 },
    });
    for (const name of ['connected', 'disconnected', 'transport', 'gap', 'error']) {
      client.on(name, (value) => w.events.push({ name, ...(value as object) }));
    }
    client.subscribe(o.channel, (data, message) => w.got.push({ channel: message.channel, data }));
    w.client = client;
  }, options);
}

/** Waits until the page has recorded `count` messages, then returns all it has (never fewer). */
export async function messagesIn(page: Page, count: number, timeoutMs = 10_000): Promise<PageMessage[]> {
  await page.waitForFunction((n) => (window as unknown as PageGlobals).got.length >= n, count, { timeout: timeoutMs, polling: 20 });
  return page.evaluate(() => (window as unknown as PageGlobals).got);
}

/** The events the page's client emitted so far, and the transport and state it is in. */
export async function clientStatus(page: Page): Promise<{ events: PageEvent[]; transport: string; state: string }> {
  return page.evaluate(() => {
    const w = window as unknown as PageGlobals;
    return { events: w.events, transport: w.client.transport, state: w.client.state };
  });
}

/** Waits until the page's client emitted an event matching `test`. */
export async function eventIn(page: Page, name: string, timeoutMs = 5_000): Promise<PageEvent> {
  await page.waitForFunction((n) => (window as unknown as PageGlobals).events.some((e) => e.name === n), name, {
    timeout: timeoutMs,
    polling: 20,
  });
  return (await clientStatus(page)).events.find((e) => e.name === name)!;
}

/** Publishes through the page's client (`client.publish`); resolves with the cursor. */
export async function publishFromPage(page: Page, channel: string, data: unknown): Promise<string> {
  return page.evaluate(async ([c, d]) => (await (window as unknown as PageGlobals).client.publish(c as string, d)).cursor, [channel, data]);
}

/** Subscribes the page's client to `channel` (recording nothing), or unsubscribes it the second time. */
export async function toggleSubscription(page: Page, channel: string): Promise<void> {
  await page.evaluate((c) => {
    const w = window as unknown as PageGlobals & { extra?: Record<string, () => void> };
    w.extra ??= {};
    if (w.extra[c]) {
      w.extra[c]!();
      delete w.extra[c];
    } else {
      w.extra[c] = w.client.subscribe(c, () => {});
    }
  }, channel);
}
