// The kit's hold for doors that frame their own answer (Bayeux's /meta/connect), with fakes.
import { createComet, parseChannel, type CometHub, type ParsedChannel } from '@cometkit/core';
import { hold, type HoldSpec } from '@cometkit/core/kit';
import { fakeRequest, gate, turn } from './support/fakes';

const channel = (name: string): ParsedChannel => parseChannel(name, false) as ParsedChannel;

let hub: CometHub;
afterEach(() => hub?.close());

const spec = (fields: Partial<HoldSpec> = {}): HoldSpec => ({
  engine: hub.engine,
  request: fakeRequest('POST', '/'),
  transport: 'bayeux',
  channels: [channel('a')],
  holdMs: 60_000,
  ...fields,
});

it('ends with the first batch that has messages, and no longer counts as a connection', async () => {
  hub = createComet();
  const held = hold(spec());
  expect(hub.stats().connections).toBe(1);
  await hub.publish('a', { n: 1 });
  const outcome = await held.outcome;
  expect(outcome.kind === 'batch' && outcome.batch.entries.map((e) => e.payload)).toEqual([JSON.stringify({ n: 1 })]);
  expect(hub.stats().connections).toBe(0);
});

it('with nothing to say and no time to hold, ends after the read with the cursor to resume from', async () => {
  hub = createComet();
  const outcome = await hold(spec({ holdMs: 0 })).outcome;
  expect(outcome).toMatchObject({ kind: 'end', reason: 'timeout' });
});

it('ends as gone when its client leaves', async () => {
  hub = createComet();
  const request = fakeRequest('POST', '/');
  const held = hold(spec({ request }));
  request.signal.abort();
  expect(await held.outcome).toMatchObject({ kind: 'end', reason: 'gone' });
});

it('is refused as a value, and rejects when authorize throws', async () => {
  hub = createComet({ authorize: (_action, context) => (context.channels[0] === 'boom' ? Promise.reject(new Error('bug')) : false) });
  expect(await hold(spec()).outcome).toMatchObject({ kind: 'refused', error: { code: 'forbidden' } });
  await expect(hold(spec({ channels: [channel('boom')] })).outcome).rejects.toThrow('bug');
});

it('a release while authorize runs settles at once and leaves nothing held once the verdict comes', async () => {
  const verdict = gate<boolean>();
  hub = createComet({ authorize: () => verdict.promise });
  const held = hold(spec());
  held.release();
  expect(await held.outcome).toEqual({ kind: 'released' });
  verdict.open(true);
  await turn();
  expect(hub.stats().connections).toBe(0);
});

it('channels set while authorize runs are the ones it holds with once admitted', async () => {
  const verdict = gate<boolean>();
  hub = createComet({ authorize: () => verdict.promise });
  const held = hold(spec());
  held.setChannels([channel('b')]);
  verdict.open(true);
  await turn();
  await hub.publish('a', 'not this');
  await hub.publish('b', 'this');
  const outcome = await held.outcome;
  expect(outcome.kind === 'batch' && outcome.batch.entries.map((e) => e.channel)).toEqual(['b']);
});
