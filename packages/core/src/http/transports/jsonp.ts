import { isCometError, type CometError } from '../../errors';
import type { CometBodyResponse } from '../../neutral';
import { errorResponse } from '../../responses';
import type { Batch } from '../../engine/subscriber';
import type { OneBatchFraming } from '../../kit/hold';
import { LastBatchCache } from '../../kit/frames';
import { escapeLineTerminators, jsonpError, jsonpScriptAround, readCallback } from '../../kit/jsonp-script';
import type { Transport } from '../transport';
import { openOneBatch } from './open';
import { batchText } from './poll-body';

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
// batch (their callback names differ, so only the inside is shared).
const lastScript = new LastBatchCache<Buffer>();

/** A held JSONP poll's framing: one small object per request, its methods shared. */
class JsonpFraming implements OneBatchFraming {
  constructor(private readonly callback: string) {}

  answer(batch: Batch): CometBodyResponse {
    return jsonpScriptAround(this.callback, lastScript.get(batch, escapedBatch));
  }

  error(error: CometError): CometBodyResponse {
    return jsonpError(this.callback, error);
  }
}

// A named function, not a closure per answer: it runs once per batch.
const escapedBatch = (batch: Batch): Buffer => Buffer.from(escapeLineTerminators(batchText(batch)));
