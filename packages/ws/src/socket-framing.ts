import { frameObjects, joinedFrames, type Batch, type CometHeaders, type LogEntry, type StreamFraming } from '@cometkit/core/kit';
import { compactWireFrame } from './compact-frame';
import { textFrame } from './shared-frame';

/** A socket has no response headers of its own: the upgrade's were sent by `ws`. */
const NO_HEADERS: CometHeaders = Object.freeze({}) as CometHeaders;

/** A message as a whole text frame of its frame object, made once per message and kept on its log entry. */
const messageFrame = (entry: LogEntry): Buffer => textFrame(Buffer.from(frameObjects.message(entry)));
const lineOf = (entry: LogEntry): string => frameObjects.message(entry) + '\n';

/**
 * Several messages as one text frame of lines (one send, one write, shared by every socket at
 * this position), as XHR streaming writes them; a lone message is its own frame (undefined here).
 */
function linesFrame(batch: Batch): Buffer | undefined {
  return batch.entries.length > 1 ? joinedFrames(batch, 'ws-lines', lineOf, textFrame) : undefined;
}

/**
 * The WebSocket wire format (PROTOCOL.md, "WebSocket"): every frame a text frame of the frame
 * objects XHR streaming carries (`message`, `gap`, `open`, `heartbeat`, `end`); the messages of
 * a batch as one frame of lines. Messages and batches are whole frames, header included
 * ({@link textFrame}), built once and written as they are by the socket's sink; the rest is text.
 */
export const objectFraming: StreamFraming = {
  name: 'ws',
  headers: NO_HEADERS,
  message: messageFrame,
  batch: linesFrame,
  open: frameObjects.open,
  gap: frameObjects.gap,
  heartbeat: frameObjects.heartbeat,
  end: frameObjects.end,
};

/**
 * {@link objectFraming} for a socket opened with `frames=compact`: the messages of a batch, or a
 * lone message, as one `messages` frame ({@link compactWireFrame}); a batch that spans two epochs
 * (no read makes one) as the objects.
 */
export const compactFraming: StreamFraming = {
  ...objectFraming,
  batch: (batch) => compactWireFrame(batch) ?? linesFrame(batch),
};
