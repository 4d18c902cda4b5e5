import { jsonText } from '../../responses';
import type { Transport } from '../transport';
import type { OneBatchFraming } from '../../kit/hold';
import { openOneBatch } from './open';
import { batchBody } from './poll-body';

const framing: OneBatchFraming = { answer: (batch) => jsonText(200, batchBody(batch)) };

/**
 * Long-poll JSON: `GET {mount}/poll?channel=…&cursor=…`. One batch per response, as
 * `{"cursor":"…","messages":[{"channel","cursor","data"},…]}` (plus `"gap"`), then the end.
 */
export const longPoll: Transport = {
  name: 'poll',
  open: (context) => openOneBatch(context, framing, 'poll'),
};
