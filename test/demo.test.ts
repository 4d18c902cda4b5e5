import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from './support/browser';
import { startDemo, type RunningDemo } from './support/spawn-demo';

// The demo as a person uses it: a tab on the Express server and one on the Koa server, a chat
// that reaches both, a transport picker, and a button that cuts every connection. The last test
// takes the screenshot the README shows (docs/demo.png; UPDATE_SCREENSHOT=1 replaces it).
describe('the demo in Chromium', () => {
  let demo: RunningDemo;
  let browser: TestBrowser;
  let sender: Page;
  let receiver: Page;

  beforeAll(async () => {
    demo = await startDemo();
    browser = await launchBrowser();
    sender = await browser.context.newPage();
    receiver = await browser.context.newPage();
    await receiver.setViewportSize({ width: 900, height: 640 });
    await sender.goto(demo.express);
    await receiver.goto(demo.koa);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  async function say(text: string): Promise<void> {
    await sender.fill('input[name=text]', text);
    await sender.click('#send button');
  }
  const lines = (page: Page, text: string) => page.locator('#log li', { hasText: text });

  it('shows a message published in one tab in a second tab on the other server', async () => {
    await receiver.locator('#state.connected').waitFor();
    await say('hello from the Express tab');
    await lines(receiver, 'guest: hello from the Express tab').waitFor({ timeout: 5_000 });
    await lines(sender, 'guest: hello from the Express tab').waitFor({ timeout: 5_000 });
    expect(await receiver.title()).toContain('Koa');
    expect(await receiver.locator('#transport').textContent()).toBe('ws');
    await receiver.locator('#ticker div').first().waitFor({ timeout: 5_000 });
  });

  it('shares one connection between two tabs of one server', async () => {
    const second = await browser.context.newPage();
    await second.goto(demo.express);
    await second.locator('#state.connected').waitFor();
    // The first count this tab hears was taken after it joined: one connection per server, not three.
    await second.locator('#conns', { hasText: 'connections to the hub' }).waitFor({ timeout: 5_000 });
    expect(await second.locator('#conns').textContent()).toBe('2 connections to the hub');
    expect(await second.locator('#transport').textContent()).toBe('ws');
    await say('seen in both tabs');
    await lines(second, 'guest: seen in both tabs').waitFor({ timeout: 5_000 });
    await second.close();
  });

  it.each(['sse', 'stream', 'iframe', 'poll', 'jsonp', 'ws'])('keeps receiving after picking %s', async (transport) => {
    await receiver.selectOption('#pick', transport);
    await receiver.locator('#transport', { hasText: transport }).waitFor();
    await receiver.locator('#state.connected').waitFor();
    await say(`now over ${transport}`);
    await lines(receiver, `now over ${transport}`).waitFor({ timeout: 5_000 });
    expect(await lines(receiver, `now over ${transport}`).count()).toBe(1);
  });

  it('resumes after "Cut the connection", with nothing lost or repeated', async () => {
    await receiver.selectOption('#pick', 'auto');
    await receiver.locator('#state.connected').waitFor();
    await receiver.click('#cut');
    await say('sent right after the cut');
    await lines(receiver, 'connection lost').first().waitFor({ timeout: 5_000 });
    await lines(receiver, 'sent right after the cut').waitFor({ timeout: 5_000 });
    await receiver.locator('#state.connected').waitFor();
    await say('and one more');
    await lines(receiver, 'and one more').waitFor({ timeout: 5_000 });
    for (const text of ['hello from the Express tab', 'sent right after the cut', 'and one more']) {
      expect(await lines(receiver, text).count()).toBe(1);
    }
  });

  it('looks like the README says (saves docs/demo.png)', async () => {
    await sender.fill('input[name=name]', 'ada');
    await say('Comet is HTTP server push: SSE, XHR streaming, the forever iframe, long-poll, JSONP');
    await receiver.fill('input[name=name]', 'linus');
    await receiver.fill('input[name=text]', 'and after any drop it resumes from its cursor: nothing lost, nothing twice');
    await receiver.click('#send button');
    await lines(receiver, 'nothing lost, nothing twice').waitFor();
    await lines(receiver, 'ada: Comet is HTTP server push').waitFor();
    // Every run takes the screenshot; it replaces the committed one only on request
    // (UPDATE_SCREENSHOT=1), or when there is none, so a test run leaves the work tree clean.
    const docs = join(__dirname, '..', 'docs');
    const target = join(docs, 'demo.png');
    const png = await receiver.screenshot();
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
    if (process.env.UPDATE_SCREENSHOT === '1' || !existsSync(target)) {
      mkdirSync(docs, { recursive: true });
      writeFileSync(target, png);
    }
  });
});
