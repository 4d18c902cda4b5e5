/**
 * @cometkit/protocol: the cometkit wire protocol in one place, shared by the hub and the client.
 * The frame and poll-answer types, and the cursor and channel grammars (PROTOCOL.md). No
 * dependencies and no Node APIs: it runs in browsers as it is.
 */
export type {
  EndFrame,
  EndReason,
  ErrorBody,
  Frame,
  Gap,
  GapFrame,
  GapReason,
  HeartbeatFrame,
  JsonpError,
  Message,
  MessageFrame,
  OpenFrame,
  PollAnswer,
} from './frames';
export { expandMessages } from './messages-frame';
export type { MessagesFrame, MessageTuple } from './messages-frame';
export { formatCursor, isAtOrBefore, MAX_CURSOR_LENGTH, MAX_CURSOR_PARTITIONS, parseCursor } from './cursor';
export type { Cursor } from './cursor';
export {
  canonicalChannel,
  isReservedChannel,
  matchesPattern,
  MAX_CHANNEL_LENGTH,
  MAX_CHANNEL_SEGMENTS,
  parseChannel,
} from './channel';
export type { ChannelError, ParsedChannel } from './channel';
