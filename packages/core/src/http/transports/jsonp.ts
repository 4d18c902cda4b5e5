import { escapeLineTerminators, readCallback } from '../../kit/jsonp-script';
import type { CometError } from '../../errors';
import { isCometError } from '../../errors';
import type { CometBodyResponse, CometHeaders } from '../../neutral';
import { errorResponse } from '../../responses';
import type { Batch } from '../../engine/subscriber';
import type { Transport } from '../transport';
import { LastBatchCache } from '../../kit/frames';
import type { OneBatchFraming } from '../../kit/hold';
import { openOneBatch } from './open';
import { batchText } from './poll-body';

const HEADERS: CometHeaders = Object.freeze({
  'content-type': 'application/javascript; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
});

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

// The batch's JSON, escaped for a script, as bytes: shared by the pollers answered with the same
// batch (their callback names differ, so only the inside is shared). Each poller's body is then
// its callback's few bytes around one copy of these, not its own string encoded again.
const lastScript = new LastBatchCache<Buffer>();
const SCRIPT_END = Buffer.from(');');

/** A held JSONP poll's framing: one small object per request, its methods shared. */
class JsonpFraming implements OneBatchFraming {
  constructor(private readonly callback: string) {}

  answer(batch: Batch): CometBodyResponse {
    const json = lastScript.get(batch, () => Buffer.from(escapeLineTerminators(batchText(batch))));
    const body = Buffer.concat([Buffer.from(scriptStart(this.callback)), json, SCRIPT_END]);
    return { status: 200, headers: HEADERS, body };
  }

  error(error: CometError): CometBodyResponse {
    return { ...script(this.callback, escapeLineTerminators(JSON.stringify({ ...error.toBody(), status: error.status }))), error: error.code };
  }
}

/** The script calling `callback` with `json` (escaped for a script already). */
function script(callback: string, json: string): CometBodyResponse {
  return { status: 200, headers: HEADERS, body: `${scriptStart(callback)}${json});` };
}

/** What comes before the argument: `/**\/` so the body never starts like a SWF or other file type. */
const scriptStart = (callback: string): string => `/**/typeof ${callback}==='function'&&${callback}(`;
