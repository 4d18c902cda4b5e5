/**
 * @cometkit/core: the framework-neutral Comet hub. Build a hub with {@link createComet}, mount it
 * with `@cometkit/express` or `@cometkit/koa` (or {@link handleNode} on a bare `node:http` server),
 * and publish from app code with `hub.publish(channel, data)`.
 */
export { createComet } from './hub';
export type { CometHub, PublishResult } from './hub';
export { createRouter } from './http/router';
export type { ChannelSource, EndpointOptions, Router, RouterOptions } from './http/router';

// The engine and the transport API: for entry points and transports of your own.
export { createEngine } from './engine/engine';
export type { Engine, EngineOptions, SubscribeSpec } from './engine/engine';
export type { Batch, EndReason, Lifetime, Subscriber, SubscriberHandlers } from './engine/subscriber';
export type { EndRules, Transport, TransportContext } from './http/transport';
export { builtinTransports } from './http/transports';
export { openOneBatch, holdOneBatch, batchBody, batchText, timeoutLifetime } from './kit/hold';
export type { OneBatchFraming, OneBatchHold } from './kit/hold';
export { cursorBefore, joinedFrames, sharedBatchFrame, openStream, streamFrom, STREAM_HEADERS } from './kit/stream-writer';
export type { StreamFraming, StreamOpen } from './kit/stream-writer';
export { frameObjects } from './http/transports/frame-objects';
export { readPush, readChannels, readCursor, parseChannelList } from './http/push-request';
export type { PushRequest } from './http/push-request';
export type { HeartbeatSet, HeartbeatTarget } from './engine/heartbeat-timer';
export { errorResponse, json, jsonText } from './responses';
export type { AuthorizeAction, AuthorizeContext, CometOptions, OriginList, ResolvedOptions } from './options';
export type { CometStats } from './engine/stats';
export { exposePrometheus } from './prometheus';
export type { PromClientLike, PrometheusOptions } from './prometheus';

export { createMemoryBroker, DEFAULT_HISTORY } from './log/memory-broker';
export type { HistoryOptions, MemoryBrokerOptions } from './log/memory-broker';
export type { Broker, GapReason, LogEntry, ReadResult } from './log/broker';
export { cachedFrame, createLogEntry, cursorBeforeEntry, withPositions } from './log/log-entry';
export { ChannelFilter } from './log/channel-filter';
export { SubscriptionIndex } from './engine/subscription-index';

export { parseChannel, matchesPattern, MAX_CHANNEL_LENGTH, MAX_CHANNEL_SEGMENTS } from './log/channel';
export type { ParsedChannel } from './log/channel';
export { formatCursor, parseCursor, newEpoch } from './log/cursor';
export { isAtOrBefore, MAX_CURSOR_PARTITIONS } from '@cometkit/protocol';
export type { Cursor } from './log/cursor';

export { CometError, cometError, isCometError, ERROR_STATUS } from './errors';
export type { CometErrorDetails, ErrorBody, ErrorCode } from './errors';

export { isStreamResponse } from './neutral';
export type {
  CometBodyResponse,
  CometHandler,
  CometHeaders,
  CometRequest,
  CometResponse,
  CometStreamResponse,
  ParsedBody,
  StreamEndOptions,
  StreamSink,
} from './neutral';

export { handleNode } from './http/node/handle-node';
export { withComet } from './http/node/with-comet';
export type { RequestListener } from './http/node/with-comet';
export type { NodeRequestInfo } from './http/node/node-request';

// Mounting, diagnostics, and what entry points that answer requests themselves (Bayeux) share.
export { toMountable } from './http/mountable';
export type { Mountable, MountableHandler, Mounted } from './http/mountable';
export { createLog } from './diagnostics';
export type { CometLogger, Log } from './diagnostics';
export { isClientGone } from './http/node/client-gone';
export { ClientSignal } from './http/node/client-signal';
export type { WithCometOptions } from './http/node/with-comet';
// For entry points that answer cross-origin and JSONP requests themselves (Bayeux).
export { corsHeaders, preflight, withCors } from './http/cors';
export { readCallback, escapeLineTerminators, MAX_CALLBACK_LENGTH } from './kit/jsonp-script';
