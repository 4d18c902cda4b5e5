import { deepStrictEqual, match, ok, strictEqual } from 'node:assert/strict';
import type { ConformanceTrial } from './conformance-trial';
import { dataOf, hasOpened } from './conformance-transport-audits';
import { request } from './http-request';
import { drivers, messagesOf, type TransportDriver } from './transport-drivers';

/**
 * One rule of the HTTP routes themselves (an SSE detail, the XHR prelude, script safety, CORS),
 * checked on every server kind and broker with the built-in drivers, which ship with the suite:
 * these run whichever transports the suite was given.
 */
export interface RouteAudit {
  /** The section it belongs to (`SSE specifics`, `CORS`). */
  readonly section: string;
  readonly name: string;
  run(trial: ConformanceTrial): Promise<void>;
}

/** The built-in driver for the route `name`. */
function builtin(name: string): TransportDriver {
  const driver = drivers.find((d) => d.name === name);
  if (!driver) throw new Error(`the conformance suite has no built-in driver named ${name}`);
  return driver;
}

const EVIL = '</script><script>alert(1)</script><!-- \u2028 \u2029 & >';
const BAD_CALLBACKS = ['', 'alert(1)', 'a..b', '1abc', 'a-b', '<script>', 'a.'.repeat(20) + 'a' + 'b'.repeat(30), 'x'.repeat(65), 'a b'];
const ORIGIN = 'http://app.example';

/** `name: a message cannot break out of the script`, for the two script transports. */
function scriptBreakout(name: 'jsonp' | 'iframe'): RouteAudit {
  return {
    section: 'script safety',
    name: `${name}: a message cannot break out of the script`,
    async run(trial) {
      await trial.start();
      const from = await trial.head();
      await trial.hub.publish('x', EVIL);
      const connection = await trial.connect(builtin(name), `channel=x&cursor=${from}`);
      await connection.waitFor((f) => messagesOf(f).length === 1);
      const raw = connection.raw();
      ok(!raw.includes('\u2028') && !raw.includes('\u2029'), 'no raw line separators');
      deepStrictEqual(dataOf(connection.frames), [EVIL]);
      if (name === 'iframe') {
        ok(!raw.includes('alert(1)</script>'), 'the message closes no script');
        strictEqual(raw.split('<!--').length - 1, 1, 'only the padding comment');
        strictEqual(raw.split('</script>').length, raw.split('<script>').length);
        strictEqual(connection.headers['x-frame-options'], 'SAMEORIGIN');
      } else {
        ok(raw.startsWith("/**/typeof cometkit.cb_1==='function'&&cometkit.cb_1("), raw.slice(0, 100));
        strictEqual(connection.headers['content-type'], 'application/javascript; charset=utf-8');
        strictEqual(connection.headers['x-content-type-options'], 'nosniff');
        strictEqual(connection.headers['cache-control'], 'no-cache, no-store');
        strictEqual(connection.headers['content-disposition'], 'attachment');
      }
    },
  };
}

/** `name: refuses bad callback names with 400, before any other error`. */
function badCallbacks(name: 'jsonp' | 'iframe'): RouteAudit {
  return {
    section: 'script safety',
    name: `${name}: refuses bad callback names with 400, before any other error`,
    async run(trial) {
      await trial.start();
      const { mount } = trial.server;
      for (const callback of BAD_CALLBACKS) {
        const res = await request(`${mount}/${name}?channel=a&callback=${encodeURIComponent(callback)}`);
        deepStrictEqual([res.status, res.json().error.code], [400, 'bad_callback'], `callback ${JSON.stringify(callback)}`);
      }
      for (const [method, query] of [['POST', 'channel=a'], ['GET', 'channel=a%20b'], ['GET', '']] as const) {
        const res = await request(`${mount}/${name}?${query}&callback=bad-name`, { method });
        deepStrictEqual([res.status, res.json().error.code], [400, 'bad_callback'], `${method} ?${query}`);
      }
      strictEqual(trial.hub.stats().connections, 0);
    },
  };
}

/** The rules of the HTTP routes, in the order the suite runs them. */
export const routeAudits: readonly RouteAudit[] = [
  {
    section: 'SSE specifics',
    name: 'resumes from Last-Event-ID over the query cursor, announces retry, pads on request',
    async run(trial) {
      await trial.start({ sseRetryMs: 3_000 });
      const old = await trial.head();
      await trial.publishAll('s', [1, 2]);
      const newer = (await trial.hub.publish('s', 3)).cursor;
      await trial.publishAll('s', [4]);
      const connection = await trial.connect(builtin('sse'), `channel=s&cursor=${old}`, {
        headers: { 'last-event-id': newer },
        extra: 'padding=1',
      });
      // The data frames may come in a later chunk than `open`: wait for them, not for `open`.
      await connection.waitFor((f) => messagesOf(f).length >= 1, 5_000, 'the message after Last-Event-ID');
      deepStrictEqual(dataOf(connection.frames), [4]);
      strictEqual(connection.headers['content-type'], 'text/event-stream; charset=utf-8');
      ok(connection.raw().startsWith(`:${' '.repeat(2048)}\nretry: 3000\n\n`), 'the padding, then the retry line');
    },
  },
  {
    section: 'per-route stream endpoint',
    name: "streams the route's channel over SSE and nothing else",
    async run(trial) {
      await trial.start();
      const from = await trial.head();
      await trial.publishAll('orders/7', ['packed']);
      await trial.publishAll('orders/8', ['other order']);
      const connection = trial.keep(await builtin('sse').openUrl(`${trial.server.origin}/orders/7/events?cursor=${from}&channel=orders/8`));
      await connection.waitFor(hasOpened);
      await trial.publishAll('orders/7', ['shipped']);
      await connection.waitFor((f) => messagesOf(f).length === 2);
      deepStrictEqual(messagesOf(connection.frames).map((m) => [m.channel, m.data]), [
        ['orders/7', 'packed'],
        ['orders/7', 'shipped'],
      ]);
    },
  },
  {
    section: 'XHR streaming specifics',
    name: 'opens with a 2 KB prelude line',
    async run(trial) {
      await trial.start();
      const connection = await trial.connect(builtin('stream'), 'channel=p');
      await connection.waitFor(hasOpened);
      ok(connection.raw().indexOf('\n') >= 2048, 'a prelude line of at least 2 KB');
      strictEqual(connection.headers['content-type'], 'application/x-ndjson; charset=utf-8');
      strictEqual(connection.headers['x-content-type-options'], 'nosniff');
    },
  },
  scriptBreakout('jsonp'),
  scriptBreakout('iframe'),
  badCallbacks('jsonp'),
  badCallbacks('iframe'),
  {
    section: 'script safety',
    name: 'accepts a callback path of 64 characters',
    async run(trial) {
      await trial.start({ longPollTimeoutMs: 50 });
      const name = 'a'.repeat(31) + '.' + 'b'.repeat(32);
      strictEqual((await request(`${trial.server.mount}/jsonp?channel=a&callback=${name}`)).status, 200);
    },
  },
  {
    section: 'CORS',
    name: 'is off unless origins are configured',
    async run(trial) {
      await trial.start({ longPollTimeoutMs: 50 });
      const res = await request(`${trial.server.mount}/poll?channel=a`, { headers: { origin: ORIGIN } });
      strictEqual(res.headers['access-control-allow-origin'], undefined);
    },
  },
  {
    section: 'CORS',
    name: 'grants listed origins, answers preflight, and ignores others',
    async run(trial) {
      await trial.start({ longPollTimeoutMs: 50, cors: { origins: [ORIGIN] }, httpPublish: true });
      const { mount } = trial.server;
      const poll = await request(`${mount}/poll?channel=a`, { headers: { origin: ORIGIN } });
      strictEqual(poll.headers['access-control-allow-origin'], ORIGIN);
      match(String(poll.headers.vary), /Origin/);
      const other = await request(`${mount}/poll?channel=a`, { headers: { origin: 'http://evil.example' } });
      strictEqual(other.headers['access-control-allow-origin'], undefined);
      const pre = await request(`${mount}/publish`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      strictEqual(pre.status, 204);
      match(String(pre.headers['access-control-allow-methods']), /POST/);
      match(String(pre.headers['access-control-allow-headers']), /Content-Type/);
      for (const name of ['sse', 'stream']) {
        const connection = await trial.connect(builtin(name), 'channel=a', { headers: { origin: ORIGIN } });
        strictEqual(connection.headers['access-control-allow-origin'], ORIGIN);
        // The grant must not cost the stream itself.
        await connection.waitFor(hasOpened, 5_000, `${name} to open through CORS`);
        await trial.hub.publish('a', name);
        await connection.waitFor((f) => dataOf(f).includes(name), 5_000, `a message through CORS on ${name}`);
      }
      const published = await request(`${mount}/publish`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'a', data: 1 }),
      });
      strictEqual(published.status, 200);
    },
  },
];
