import { jsonText } from '../responses';
import type { Transport } from '../transport';
import { openOneBatch } from './one-batch';

/**
 * Long-poll JSON: `GET {mount}/poll?channel=…&cursor=…`. One batch per response, as
 * `{"cursor":"…","messages":[{"channel","cursor","data"},…]}` (plus `"gap"`), then the end.
 */
export const longPoll: Transport = {
  name: 'poll',
  open: (context) => openOneBatch(context, { name: 'poll', respond: (body) => jsonText(200, body) }),
};
