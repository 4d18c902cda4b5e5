/**
 * @cometkit/client: receive pushes from a cometkit hub in a browser or in Node. One connection
 * carries every subscription over the best transport that works (SSE, XHR streaming, forever
 * iframe, long-poll, JSONP), resumes from its cursor after any drop, drops duplicates, and says
 * when messages were lost (a gap) instead of hiding it.
 */
export { createClient } from './client';
export type { CometClient } from './client';
export type {
  AnyChannels,
  ChannelMap,
  ClientError,
  ClientEvents,
  ClientOptions,
  ClientState,
  CometMessage,
  DataOf,
  GapEvent,
  GapReason,
  MessageHandler,
  TransportName,
} from './types';
