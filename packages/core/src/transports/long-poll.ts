import { jsonText } from '../responses';
import type { Transport } from '../transport';
import { openOneBatch, type OneBatchFraming } from './one-batch';

const framing: OneBatchFraming = { name: 'poll', respond: (body) => jsonText(200, body) };

/**
 * Long-poll JSON: `GET {mount}/poll?channel=…&cursor=…`. One batch per response, as
 * `{"cursor":"…","messages":[{"channel","cursor","data"},…]}` (plus `"gap"`), then the end.
 */
export const longPoll: Transport = {
  name: 'poll',
  open: (context) => openOneBatch(context, framing),
};
