import { createHash } from 'node:crypto';
import { cometError } from '../errors';
import { etagMatches } from './etag-match';
import type { CometRequest, CometResponse } from '../neutral';
import { errorResponse } from '../responses';

/** The module holding the browser client's minified text (built by `@cometkit/client`). */
const SCRIPT_MODULE = '@cometkit/client/script';

/** An hour: the URL carries no version, so a new release reaches pages within the hour (and the ETag saves the bytes). */
const CACHE_CONTROL = 'public, max-age=3600';

interface Script {
  body: string;
  etag: string;
}

let loading: Promise<Script | undefined> | undefined;

/**
 * `GET {mount}/client.js`: the browser client as one self-contained script, so a page needs one
 * `<script src="/comet/client.js">` tag. Read once, lazily, from `@cometkit/client`; answered with
 * an ETag (304 on `If-None-Match`) and public caching; 404 when that package is not installed.
 */
export async function clientScript(request: CometRequest): Promise<CometResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return errorResponse(cometError('method_not_allowed', 'Use GET for client.js.', { allow: ['GET', 'HEAD', 'OPTIONS'] }));
  }
  const script = await (loading ??= load());
  if (!script) return errorResponse(cometError('not_found', 'The browser client is not installed: add @cometkit/client.'));
  const headers = { etag: script.etag, 'cache-control': CACHE_CONTROL };
  const known = request.header('if-none-match');
  if (known && etagMatches(known, script.etag)) {
    return { status: 304, headers, body: '' };
  }
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'application/javascript; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body: script.body,
  };
}

async function load(): Promise<Script | undefined> {
  try {
    const { clientScript: body } = (await import(SCRIPT_MODULE)) as { clientScript: string };
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
  } catch {
    return undefined;
  }
}
