import fc from 'fast-check';
import http from 'node:http';

/** Every request header the server reads. */
export const READ_HEADERS = ['if-none-match', 'last-event-id', 'origin', 'host', 'content-type'] as const;

/** Any byte Node lets into a header value (HTAB, visible ASCII, space, obs-text). */
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c));

/** Header values: random text, and the shapes each header is parsed for. */
export const headerValue = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 120 }),
  fc.constantFrom(
    '*',
    '""',
    '"',
    'W/"x"',
    '"a", W/"b", *',
    `"a${' '.repeat(2_000)}b"`,
    ','.repeat(500),
    'abc-1',
    'zz-99999999999999999999',
    '-1',
    'http://evil.example',
    'null',
    'http://127.0.0.1',
    '127.0.0.1:1',
    '[::1]:99999',
    'application/json; charset=utf-16',
    'application/json;;;',
    'text/plain',
    'multipart/form-data; boundary=x',
  ),
);

/** One request: a route, a method, and some of the read headers with fuzzed values. */
export const fuzzRequest = fc.record({
  route: fc.constantFrom('client.js', 'poll', 'jsonp', 'sse', 'stream', 'iframe', 'publish'),
  headers: fc.dictionary(fc.constantFrom(...READ_HEADERS), headerValue, { minKeys: 1, maxKeys: 5 }),
});

/** What came back: status, type and body (a stream's body is left unread after its headers). */
export interface Probe {
  status: number;
  type: string;
  body: string;
}

/** Sends one fuzzed request; rejects if no answer comes within `timeoutMs` (a hang). */
export function send(mount: string, route: string, headers: Record<string, string>, timeoutMs: number): Promise<Probe> {
  const publish = route === 'publish';
  const query = route === 'jsonp' ? '?channel=fuzz&callback=cb' : route === 'iframe' ? '?channel=fuzz&callback=parent.f' : publish || route === 'client.js' ? '' : '?channel=fuzz';
  return new Promise((resolve, reject) => {
    const req = http.request(`${mount}/${route}${query}`, { method: publish ? 'POST' : 'GET', headers, agent: false, signal: AbortSignal.timeout(timeoutMs) });
    req.on('error', (error) => reject(error.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms: ${route} ${JSON.stringify(headers).slice(0, 300)}`) : error));
    req.on('response', (res) => {
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode === 200 && /event-stream|ndjson|html/.test(type)) {
        req.destroy();
        return resolve({ status: 200, type, body: '' });
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type, body }));
    });
    req.end(publish ? JSON.stringify({ channel: 'fuzz', data: 1 }) : undefined);
  });
}
