/**
 * Long-poll protocols with a cursor: cometkit long-poll JSON (`/comet/poll`), cometkit JSONP
 * (`/comet/jsonp`), and the bare `node:http` long-poll (`/poll`). Each subscriber polls, records
 * the batch, and polls again at once, on the same connection, with the cursor the response gave.
 */
import { fetchText, sleep, type RequestSpec } from './http';
import { Connection, churnRequest, type Protocol, type ProtocolContext, type Subscription } from './protocol';
import type { SubState } from './tracker';

interface PollBatch {
  cursor: string;
  messages: { data: { seq: number; t: number } | null }[];
  gap?: unknown;
}

function pollLoop(
  context: ProtocolContext,
  sub: SubState,
  request: (cursor: string) => RequestSpec,
  read: (text: string) => PollBatch,
): Subscription {
  const connection = new Connection(context.port);
  const { tracker } = context;
  let cursor = context.cursor;
  void (async () => {
    while (!connection.stopped) {
      try {
        const res = await fetchText(connection.endpoint, request(cursor));
        if (connection.stopped) return;
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        const batch = read(res.text);
        if (batch.gap) tracker.gaps++;
        for (const message of batch.messages) {
          if (message.data) tracker.record(sub, message.data.seq, message.data.t, res.arrival);
        }
        cursor = String(batch.cursor);
      } catch {
        if (connection.stopped) return;
        tracker.errors++;
        await sleep(100);
      }
    }
  })();
  return connection;
}

const CHANNEL = 'channel=bench/feed';

export const cometkitPoll: Protocol = {
  subscribe: (context, sub) =>
    pollLoop(context, sub, (cursor) => ({ path: `/comet/poll?${CHANNEL}&cursor=${cursor}` }), (text) => JSON.parse(text)),
  churn: (port, holdMs) => churnRequest(port, { path: `/comet/poll?${CHANNEL}` }, false, holdMs),
};

const CALLBACK = 'cb';
/** `/**\/typeof cb==='function'&&cb(BATCH);` → BATCH */
function jsonpBatch(text: string): PollBatch {
  const start = text.indexOf(`&&${CALLBACK}(`);
  const end = text.lastIndexOf(');');
  if (start < 0 || end < start) throw new Error('jsonp: not a callback body');
  return JSON.parse(text.slice(start + CALLBACK.length + 3, end));
}

export const cometkitJsonp: Protocol = {
  subscribe: (context, sub) =>
    pollLoop(context, sub, (cursor) => ({ path: `/comet/jsonp?${CHANNEL}&cursor=${cursor}&callback=${CALLBACK}` }), jsonpBatch),
  churn: (port, holdMs) => churnRequest(port, { path: `/comet/jsonp?${CHANNEL}&callback=${CALLBACK}` }, false, holdMs),
};

/** The bare long-poll answers `{"cursor":N,"messages":[{"seq","t"},…]}`. */
export const nodePoll: Protocol = {
  subscribe: (context, sub) =>
    pollLoop(context, sub, (cursor) => ({ path: `/poll?cursor=${cursor}` }), (text) => {
      const body = JSON.parse(text) as { cursor: number; messages: { seq: number; t: number }[] };
      return { cursor: String(body.cursor), messages: body.messages.map((data) => ({ data })) };
    }),
  churn: (port, holdMs) => churnRequest(port, { path: '/poll' }, false, holdMs),
};
