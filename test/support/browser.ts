import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Flags for Debian's Chromium on a machine with no network but loopback, running as root. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile; `close()` stops it and removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Debian's Chromium (`/usr/bin/chromium`) through playwright-core. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'cometkit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One Chromium for a test file (launched before all its tests, stopped after), and pages that
 * are closed after each test. Returns the function that opens a page at `url`.
 */
export function useBrowserPages(): (url: string) => Promise<Page> {
  let browser: TestBrowser | undefined;
  const pages: Page[] = [];
  beforeAll(async () => void (browser = await launchBrowser()));
  afterAll(async () => browser?.close());
  afterEach(async () => void (await Promise.all(pages.splice(0).map((p) => p.close()))));
  return async (url) => {
    const page = await browser!.context.newPage();
    pages.push(page);
    await page.goto(url);
    return page;
  };
}
