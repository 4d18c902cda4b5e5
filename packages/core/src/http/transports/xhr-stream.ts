import type { Transport } from '../transport';
import { frameObjects } from './frame-objects';
import { openStream } from './open';
import { STREAM_HEADERS, type StreamFraming } from '../../kit/stream-writer';

/** 2 KB of white space: some browsers fire no progress event on an XHR before that much arrived. */
const PRELUDE = `${' '.repeat(2048)}\n`;

/** XHR streaming: `GET {mount}/stream?channel=…&cursor=…`, newline-delimited JSON frame objects. */
const framing: StreamFraming = {
  name: 'stream',
  headers: { ...STREAM_HEADERS, 'content-type': 'application/x-ndjson; charset=utf-8', 'x-content-type-options': 'nosniff' },
  message: (entry) => frameObjects.message(entry) + '\n',
  open: (cursor, heartbeatMs) => frameObjects.open(cursor, heartbeatMs) + '\n',
  gap: (reason, from, cursor) => frameObjects.gap(reason, from, cursor) + '\n',
  heartbeat: () => frameObjects.heartbeat() + '\n',
  end: (reason, cursor) => frameObjects.end(reason, cursor) + '\n',
};

export const xhrStream: Transport = {
  name: 'stream',
  open: (context) => openStream(context, framing, PRELUDE),
};
