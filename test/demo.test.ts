import { launchBrowser, type TestBrowser } from './support/browser';
import { startDemo, type RunningDemo } from './support/spawn-demo';

// The demo as a person uses it: two tabs, one on the Express server and one on the Koa server;
// a message published with the form in one shows up in the other.
describe('the demo in Chromium', () => {
  let demo: RunningDemo;
  let browser: TestBrowser;

  beforeAll(async () => {
    demo = await startDemo();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('shows a message published in one tab in a second tab on the other server', async () => {
    const sender = await browser.context.newPage();
    const receiver = await browser.context.newPage();
    await sender.goto(demo.express);
    await receiver.goto(demo.koa);
    await receiver.locator('#state.waiting, #state.connected').waitFor();
    await sender.fill('input[name=text]', 'hello from the Express tab');
    await sender.click('button');
    await receiver.getByText('guest: hello from the Express tab').waitFor({ timeout: 5_000 });
    await sender.getByText('guest: hello from the Express tab').waitFor({ timeout: 5_000 });
    expect(await receiver.title()).toContain('Koa');
  });
});
