/**
 * @cometkit/core/kit: what every entry point is built from. A transport, the WebSocket door, Bayeux,
 * a framework adapter and a broker use these, so that admission, holds, streams, publishing, the
 * framed-message caches and the request checks are written once. Applications need only
 * `@cometkit/core`. Until 1.0 these names may change in a minor version.
 *
 * Layers, each importing only those before it: `log/` (the broker contract and memory broker,
 * entries, channels, cursors), `engine/` (fan-out, subscribers, admission, timers), `kit/` (what
 * doors call), `http/` (router, HTTP transports, the Node bridge).
 */

// The engine: subscribe, dispatch, lifetimes, shutdown.
export { createEngine } from './engine/engine';
export type { Engine, EngineOptions, SubscribeSpec } from './engine/engine';
export type { EngineSettings } from './engine/settings';
export { checkAccess } from './engine/access';
export type { AccessAsk, Granted } from './engine/access';
export type { Batch, EndReason, Lifetime, Subscriber, SubscriberHandlers } from './engine/subscriber';
export type { HeartbeatSet, HeartbeatTarget } from './engine/heartbeat-timer';
export { SubscriptionIndex } from './engine/subscription-index';

// What doors call.
export { admit } from './kit/admit';
export { admitChannels } from './kit/admit-channels';
export type { MoreChannels } from './kit/admit-channels';
export type { AdmissionDoor } from './kit/admit';
export { publishFromClient } from './kit/publish';
export type { ClientMessage } from './kit/publish';
export { screenRequest } from './kit/screen';
export type { ScreenedAction, ScreenSettings } from './kit/screen';
export { clampHold, hold, holdOneBatch, refusal, timeoutLifetime } from './kit/hold';
export type { Hold, HoldOutcome, HoldSpec, OneBatchFraming, OneBatchHold } from './kit/hold';
export { admitStream, streamFrom, STREAM_HEADERS } from './kit/stream-writer';
export type { AdmittedStream, StreamDoor, StreamFraming, StreamLimits, StreamOpen } from './kit/stream-writer';
export type { EndRules } from './kit/end-rules';
export { cachedFrame, cursorBefore, joinedFrames, sharedBatchFrame, LastBatchCache } from './kit/frames';
export { readChannels, readCursor, parseChannelList } from './kit/push-request';
export type { PushRequest } from './kit/push-request';
export {
  readCallback,
  escapeLineTerminators,
  escapeForScriptBlock,
  jsonpError,
  jsonpScript,
  jsonpScriptAround,
  scriptStart,
  MAX_CALLBACK_LENGTH,
  SCRIPT_HEADERS,
} from './kit/jsonp-script';

// The log: the broker contract, entries, channels, cursors.
export type { GapReason, LogEntry, ReadResult } from './log/broker';
export { createLogEntry, cursorBeforeEntry, withPositions } from './log/log-entry';
export { EntryRing } from './log/entry-ring';
export { ChannelFilter } from './log/channel-filter';
export { formatCursor, parseCursor, newEpoch } from './log/cursor';
export type { Cursor } from './log/cursor';
export { isAtOrBefore, MAX_CURSOR_PARTITIONS } from '@cometkit/protocol';

// HTTP: routes, transports, answers, the Node bridge, mounting.
export { createRouter } from './http/router';
export type { Router, RouterOptions } from './http/router';
export type { Transport, TransportContext } from './http/transport';
export type { HttpSettings } from './http/settings';
export { builtinTransports } from './http/transports';
export { openOneBatch, openStream, readPush } from './http/transports/open';
export { batchBody, batchText } from './http/transports/poll-body';
export { frameObjects } from './http/transports/frame-objects';
export { errorResponse, json, jsonText } from './responses';
export { isStreamResponse } from './neutral';
export type { CometBodyResponse, CometHeaders, CometStreamResponse, ParsedBody, StreamEndOptions, StreamEndReason, StreamSink } from './neutral';
export { corsHeaders, preflight, withCors } from './http/cors';
export { toMountable } from './http/mountable';
export type { Mountable, MountableHandler, Mounted } from './http/mountable';
export { isClientGone } from './http/node/client-gone';
export { ClientSignal } from './http/node/client-signal';

// Diagnostics.
export { createLog } from './diagnostics';
export type { Log } from './diagnostics';
