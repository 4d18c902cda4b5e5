import { createComet, type CometHub } from '@cometkit/core';
import {
  frameObjects,
  openOneBatch,
  openStream,
  STREAM_HEADERS,
  type Batch,
  type CometBodyResponse,
  type OneBatchFraming,
  type StreamFraming,
  type Transport,
} from '@cometkit/core/kit';
import { createDriver, describeConformance, parsers, request, type RunningServer } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

// Transports written with the public API only (imports from '@cometkit/core'), as a user would,
// held to the same conformance suite as the built-in ones.

/** `lines`: a stream of frame objects, one per line of text/plain, with no prelude. */
const linesFraming: StreamFraming = {
  name: 'lines',
  headers: { ...STREAM_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
  message: (entry) => frameObjects.message(entry) + '\n',
  open: (cursor, heartbeatMs) => frameObjects.open(cursor, heartbeatMs) + '\n',
  gap: (reason, from, cursor) => frameObjects.gap(reason, from, cursor) + '\n',
  heartbeat: () => frameObjects.heartbeat() + '\n',
  end: (reason, cursor) => frameObjects.end(reason, cursor) + '\n',
};
const lines: Transport = { name: 'lines', open: (context) => openStream(context, linesFraming, '') };

/** `batchlines`: one batch per response, as lines: its gap, its messages, then the cursor to resume from. */
const batchLinesFraming: OneBatchFraming = {
  answer(batch: Batch): CometBodyResponse {
    const out: string[] = [];
    if (batch.gap) out.push(JSON.stringify({ type: 'gap', reason: batch.gap.reason, from: batch.gap.from }));
    for (const entry of batch.entries) out.push(frameObjects.message(entry));
    out.push(JSON.stringify({ type: 'end', reason: 'batch', cursor: batch.cursor }));
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: out.join('\n') + '\n' };
  },
};
const batchLines: Transport = { name: 'batchlines', open: (context) => openOneBatch(context, batchLinesFraming, 'batchlines') };

const kinds = serverKinds.filter((kind) => kind.name === 'express5' || kind.name === 'withComet');

describeConformance({
  kinds,
  drivers: [createDriver('lines', true, parsers.ndjson), createDriver('batchlines', false, parsers.ndjson)],
  hubOptions: { transports: [lines, batchLines] },
});

describe('a transport with a built-in name', () => {
  let hub: CometHub;
  let server: RunningServer;
  afterEach(async () => {
    await hub.close();
    await server.close();
  });

  it('replaces the built-in one, under the mount and on per-route endpoints', async () => {
    const poll: Transport = { name: 'poll', open: (context) => openOneBatch(context, batchLinesFraming, 'poll') };
    hub = createComet({ transports: [poll], jsonp: true });
    server = await kinds[0]!.start(hub);
    const from = (await hub.publish('setup', null)).cursor;
    await hub.publish('orders/7', 'packed');
    for (const url of [`${server.mount}/poll?channel=orders/7&cursor=${from}`, `${server.origin}/orders/7/updates?cursor=${from}`]) {
      const res = await request(url);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(parsers.ndjson(res.text, true).frames).toEqual([
        expect.objectContaining({ type: 'message', channel: 'orders/7', data: 'packed' }),
        expect.objectContaining({ type: 'end', reason: 'batch' }),
      ]);
    }
    // The other built-in transports are still there.
    const jsonp = await request(`${server.mount}/jsonp?channel=orders/7&cursor=${from}&callback=cb`);
    expect(jsonp.text).toMatch(/^\/\*\*\/typeof cb==='function'&&cb\(/);
    expect(hub.stats().connectionsByTransport).toMatchObject({ poll: 0, jsonp: 0 });
  });
});
