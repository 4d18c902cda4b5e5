import { escapeLineTerminators, readCallback } from '../callback-name';
import type { CometError } from '../errors';
import { isCometError } from '../errors';
import type { CometBodyResponse, CometHeaders } from '../neutral';
import { errorResponse } from '../responses';
import type { Batch } from '../engine/subscriber';
import type { Transport } from '../transport';
import { batchBody, openOneBatch, type OneBatchFraming } from './one-batch';

const HEADERS: CometHeaders = {
  'content-type': 'application/javascript; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * JSONP long-poll: `GET {mount}/jsonp?channel=…&cursor=…&callback=NAME`, for `<script>` tags on
 * other origins. The long-poll batch wrapped as `/**\/typeof NAME==='function'&&NAME(BATCH);`.
 * Errors reach the callback too, with status 200: a browser runs no script served with an error.
 * The callback is read first, so every later error can be reported through it.
 */
export const jsonp: Transport = {
  name: 'jsonp',
  open(context) {
    const callback = readCallback(context.query);
    if (isCometError(callback)) return errorResponse(callback);
    return openOneBatch(context, new JsonpFraming(callback), 'jsonp');
  },
};

/** A held JSONP poll's framing: one small object per request, its methods shared. */
class JsonpFraming implements OneBatchFraming {
  constructor(private readonly callback: string) {}

  answer(batch: Batch): CometBodyResponse {
    return script(this.callback, batchBody(batch).toString());
  }

  error(error: CometError): CometBodyResponse {
    return { ...script(this.callback, JSON.stringify({ ...error.toBody(), status: error.status })), error: error.code };
  }
}

function script(callback: string, json: string): CometBodyResponse {
  const body = `/**/typeof ${callback}==='function'&&${callback}(${escapeLineTerminators(json)});`;
  return { status: 200, headers: HEADERS, body };
}
