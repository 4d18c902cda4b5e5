import { startBayeux } from './support/servers';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const faye = require('faye');

it('faye smoke', async () => {
  const s = await startBayeux(undefined, { bayeux: { timeoutMs: 2000 } });
  const client = new faye.Client(s.url);
  const got: unknown[] = [];
  const done = new Promise<void>((resolve) => client.subscribe('/chat/*', (m: unknown) => { got.push(m); resolve(); }).then(() => client.publish('/chat/room', { hi: 1 })));
  await done;
  expect(got).toEqual([{ hi: 1 }]);
  await client.disconnect();
  await s.close();
});
