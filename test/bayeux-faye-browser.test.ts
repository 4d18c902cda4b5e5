import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { launchBrowser, type TestBrowser } from './support/browser';
import { startBayeux, type BayeuxServer } from '../packages/bayeux/test/support/servers';

const fayeScript = readFileSync(require.resolve('faye/client/faye-browser-min.js'), 'utf8');
const PAGE = '<!doctype html><html><head><meta charset="utf-8"><script src="/faye.js"></script></head><body></body></html>';

/** Serves the page and Faye's browser build in front of the app. */
const withPage = (listener: http.RequestListener): http.RequestListener => (req, res) => {
  if (req.url === '/faye.js') return void res.writeHead(200, { 'content-type': 'application/javascript' }).end(fayeScript);
  if (req.url === '/page') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  listener(req, res);
};

let s: BayeuxServer;
let browser: TestBrowser;
beforeAll(async () => {
  s = await startBayeux(undefined, { bayeux: { timeoutMs: 5_000, publishing: true, callbackPolling: true }, wrap: withPage, webSocket: {} });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

it.each([
  ['websocket', []],
  ['long-polling', ['websocket']],
  ['callback-polling', ['websocket', 'eventsource', 'long-polling', 'cross-origin-long-polling']],
])("Faye's browser client in Chromium over %s: subscribes and gets its own publish, which the hub's long-poll reads too", async (transport, disabled) => {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${s.origin}/page`);
    const { cursor } = await s.hub.publish('browser/ready', 0);
    const received = page.evaluate(
      ([off]) =>
        new Promise<{ data: unknown; transport: string }>((resolve) => {
          const w = window as unknown as { Faye: any; client: any };
          const client = (w.client = new w.Faye.Client('/bayeux', { retry: 0.05 }));
          for (const feature of off as string[]) client.disable(feature);
          // The transport the delivery came over (the handshake always goes over HTTP).
          const used = (): string => client._dispatcher._transport?.connectionType ?? '';
          client.subscribe('/browser/*', (data: unknown) => resolve({ data, transport: used() })).then(() => client.publish('/browser/hello', { from: 'chromium' }));
        }),
      [disabled],
    );
    const got = await received;
    expect(got).toEqual({ data: { from: 'chromium' }, transport });
    // The server's side of it (the other runs' pages may still be closing their sockets).
    if (transport === 'websocket') expect(s.ws!.size).toBe(1);
    // What the browser published is in the hub's log, for every cometkit transport.
    const poll = (await (await fetch(`${s.origin}/comet/poll?channel=browser/hello&cursor=${encodeURIComponent(cursor)}`)).json()) as { messages: { data: unknown }[] };
    expect(poll.messages.map((m) => m.data)).toEqual([{ from: 'chromium' }]);
    await page.evaluate(() => (window as unknown as { client: { disconnect(): Promise<void> } }).client.disconnect());
  } finally {
    await page.close();
  }
});
