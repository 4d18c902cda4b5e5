/**
 * What travels from a hub to its clients (PROTOCOL.md): messages, the gap signal, the frame
 * objects of the streaming transports and the long-poll answer. Types only: nothing here runs.
 */

/** Why messages were lost: `expired` (evicted from history) or `epoch` (another log, or a cursor past its end). */
export type GapReason = 'expired' | 'epoch';

/**
 * Why the server ended a stream, as its `end` frame says: the byte `budget` was spent, the maximum
 * `age` was reached, the client read too `slow`ly, the server is `closing`, or its history was lost
 * (`reset`: the next request with the frame's cursor gets the gap). Reconnect at once with the cursor.
 */
export type EndReason = 'budget' | 'age' | 'slow' | 'closing' | 'reset';

/** One message: the exact channel it was published to, its place in the log, and what the publisher sent. */
export interface Message<T = unknown> {
  channel: string;
  cursor: string;
  data: T;
}

/** The gap object of a poll answer: why, and the cursor the client sent. */
export interface Gap {
  reason: GapReason;
  from: string;
}

/** Once history after the client's cursor is sent: where the stream stands, and the heartbeat period in ms. */
export interface OpenFrame {
  type: 'open';
  cursor: string;
  heartbeatMs: number;
}

/** One message, in order. */
export interface MessageFrame<T = unknown> extends Message<T> {
  type: 'message';
}

/** Before the messages that follow a gap; `cursor` is the one just before the first message still held. */
export interface GapFrame extends Gap {
  type: 'gap';
  cursor: string;
}

/** Sent when nothing else was written for one heartbeat period. */
export interface HeartbeatFrame {
  type: 'heartbeat';
}

/** Last, when the server ends the stream: resume at once from `cursor`. */
export interface EndFrame {
  type: 'end';
  reason: EndReason;
  cursor: string;
}

/** A frame object of XHR streaming and the forever iframe (SSE carries the same fields as events). */
export type Frame = OpenFrame | MessageFrame | GapFrame | HeartbeatFrame | EndFrame;

/** The long-poll (and JSONP) answer: the messages after the cursor, the cursor to poll from next, and any gap. */
export interface PollAnswer {
  cursor: string;
  messages: Message[];
  gap?: Gap;
}

/** The body of every refused request. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** A refused JSONP request: the error body and its status, handed to the callback (with HTTP status 200). */
export interface JsonpError extends ErrorBody {
  status: number;
}
