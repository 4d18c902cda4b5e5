/**
 * Long-poll protocols with a cursor: cometkit long-poll JSON (`/comet/poll`), cometkit JSONP
 * (`/comet/jsonp`), and the bare `node:http` long-poll (`/poll`). Each subscriber polls, records
 * the batch, and polls again at once, on the same connection, with the cursor the response gave.
 *
 * A body is read as the streams are, in one pass (see streams.ts): its messages by their
 * `{"seq":N,"t":T}` payloads, its cursor (the first `"cursor":` of the body, the batch's own,
 * which comes first), and a gap by its key. No JSON.parse: the client's CPU stays near the minimum.
 */
import { fetchText, sleep, type RequestSpec } from './http';
import { Connection, churnRequest, type Protocol, type ProtocolContext, type Subscription } from './protocol';
import type { SubState } from './tracker';

/** The batch's cursor: the first `"cursor":` value of the body (quoted or a bare number). */
const BATCH_CURSOR = /"cursor":"?([^",}]+)/;
/** The `code` of an error body `{"error":{"code":…}}`. */
const ERROR_CODE = /"code":"([^"]+)"/;

function pollLoop(context: ProtocolContext, sub: SubState, request: (cursor: string) => RequestSpec): Subscription {
  const connection = new Connection(context.port);
  const { tracker } = context;
  let cursor = context.cursor;
  void (async () => {
    while (!connection.stopped) {
      try {
        const res = await fetchText(connection.endpoint, request(cursor));
        if (connection.stopped) return;
        if (res.status !== 200) throw new Error(`${res.status} ${ERROR_CODE.exec(res.text)?.[1] ?? res.text.slice(0, 40)}`);
        const next = BATCH_CURSOR.exec(res.text)?.[1];
        if (next === undefined) throw new Error(`no cursor in ${res.text.slice(0, 40)}`);
        tracker.responses++;
        tracker.scan(sub, res.text, res.arrival);
        if (res.text.includes('"gap":{')) tracker.gaps++;
        cursor = next;
      } catch (error) {
        if (connection.stopped) return;
        // What the request got (status and error code, or the socket error): an errored poll is a defect to explain.
        tracker.error((error as NodeJS.ErrnoException).code ?? (error as Error).message);
        await sleep(100);
      }
    }
  })();
  return connection;
}

const CHANNEL = 'channel=bench/feed';

export const cometkitPoll: Protocol = {
  subscribe: (context, sub) => pollLoop(context, sub, (cursor) => ({ path: `/comet/poll?${CHANNEL}&cursor=${cursor}` })),
  churn: (port, holdMs) => churnRequest(port, { path: `/comet/poll?${CHANNEL}` }, false, holdMs),
};

/** JSONP bodies are `/**\/typeof cb==='function'&&cb(BATCH);`: BATCH reads as a poll body. */
const CALLBACK = 'cb';

export const cometkitJsonp: Protocol = {
  subscribe: (context, sub) => pollLoop(context, sub, (cursor) => ({ path: `/comet/jsonp?${CHANNEL}&cursor=${cursor}&callback=${CALLBACK}` })),
  churn: (port, holdMs) => churnRequest(port, { path: `/comet/jsonp?${CHANNEL}&callback=${CALLBACK}` }, false, holdMs),
};

/** The bare long-poll answers `{"cursor":N,"messages":[{"seq","t"},…]}`. */
export const nodePoll: Protocol = {
  subscribe: (context, sub) => pollLoop(context, sub, (cursor) => ({ path: `/poll?cursor=${cursor}` })),
  churn: (port, holdMs) => churnRequest(port, { path: '/poll' }, false, holdMs),
};
