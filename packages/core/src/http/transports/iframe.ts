import { escapeForScriptBlock, readCallback } from '../../kit/jsonp-script';
import { isCometError } from '../../errors';
import { errorResponse } from '../../responses';
import type { Transport } from '../transport';
import { frameObjects } from './frame-objects';
import { openStream } from './open';
import { STREAM_HEADERS, type StreamFraming } from '../../kit/stream-writer';

/** Over 1 KB before the first frame, so browsers start running the page's scripts at once. */
const PADDING = `<!--${' '.repeat(1024)}-->\n`;

/** A frame object as a script block that no message can break out of. */
const call = (frame: string): string => `<script>p(${escapeForScriptBlock(frame)});</script>\n`;

/**
 * The forever iframe (htmlfile): `GET {mount}/iframe?channel=…&cursor=…&callback=NAME`, an HTML
 * page that never ends, loaded in a hidden iframe of a same-origin page; each frame object is a
 * `<script>` calling NAME (usually `parent.something`). Framing by other origins is refused.
 */
const framing: StreamFraming = {
  name: 'iframe',
  headers: {
    ...STREAM_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'content-security-policy': "frame-ancestors 'self'",
  },
  message: (entry) => call(frameObjects.message(entry)),
  open: (cursor, heartbeatMs) => call(frameObjects.open(cursor, heartbeatMs)),
  gap: (reason, from, cursor) => call(frameObjects.gap(reason, from, cursor)),
  heartbeat: () => call(frameObjects.heartbeat()),
  end: (reason, cursor) => call(frameObjects.end(reason, cursor)),
};

export const iframe: Transport = {
  name: 'iframe',
  // A broken iframe response fires no event in the page (its document just stays "loading"):
  // only silence shows it, so the silence allowed is short.
  endRules: (defaults) => ({ heartbeatMs: Math.min(defaults.heartbeatMs, 2_000) }),
  open(context) {
    const callback = readCallback(context.query, 'parent');
    if (isCometError(callback)) return errorResponse(callback);
    const prelude =
      `<!doctype html><html><head><meta charset="utf-8"></head><body>\n` +
      `<script>var c=${callback};function p(f){c(f)}</script>\n${PADDING}`;
    return openStream(context, framing, prelude);
  },
};
