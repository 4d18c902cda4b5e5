import { escapeLineTerminators, readCallback } from '../callback-name';
import { isCometError } from '../errors';
import type { CometBodyResponse, CometHeaders } from '../neutral';
import { errorResponse } from '../responses';
import type { Transport } from '../transport';
import { openOneBatch } from './one-batch';

const HEADERS: CometHeaders = {
  'content-type': 'application/javascript; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * JSONP long-poll: `GET {mount}/jsonp?channel=…&cursor=…&callback=NAME`, for `<script>` tags on
 * other origins. The long-poll batch wrapped as `/**\/typeof NAME==='function'&&NAME(BATCH);`.
 * Errors reach the callback too, with status 200: a browser runs no script served with an error.
 */
export const jsonp: Transport = {
  name: 'jsonp',
  checkRequest(request) {
    const callback = readCallback(request.query);
    return isCometError(callback) ? callback : undefined;
  },
  open(context) {
    const callback = readCallback(context.request.query) as string;
    return openOneBatch(context, { name: 'jsonp', respond: (body) => script(callback, body.toString()) });
  },
  errorResponse(error, request) {
    const callback = readCallback(request.query);
    if (isCometError(callback)) return errorResponse(error);
    return script(callback, JSON.stringify({ ...error.toBody(), status: error.status }));
  },
};

function script(callback: string, json: string): CometBodyResponse {
  const body = `/**/typeof ${callback}==='function'&&${callback}(${escapeLineTerminators(json)});`;
  return { status: 200, headers: HEADERS, body };
}
