/**
 * @cometkit/core: the framework-neutral Comet hub. Build a hub with {@link createComet}, mount it
 * with `@cometkit/express` or `@cometkit/koa` (or {@link handleNode} on a bare `node:http` server),
 * and publish from app code with `hub.publish(channel, data)`.
 */
export { createComet } from './hub';
export type { CometHub, PublishResult } from './hub';
export { createRouter } from './router';
export type { ChannelSource, EndpointOptions, Router, RouterOptions } from './router';

// The engine and the transport API: for entry points and transports of your own.
export { createEngine } from './engine/engine';
export type { Engine, EngineOptions, SubscribeSpec } from './engine/engine';
export type { Batch, EndReason, Lifetime, Subscriber, SubscriberHandlers } from './engine/subscriber';
export type { EndRules, Transport, TransportContext } from './transport';
export { builtinTransports } from './transports';
export { openOneBatch, holdOneBatch, batchBody, batchText, timeoutLifetime } from './transports/one-batch';
export type { OneBatchFraming, OneBatchHold } from './transports/one-batch';
export { cursorBefore, joinedFrames, sharedBatchFrame, openStream, streamFrom, STREAM_HEADERS } from './transports/stream';
export type { StreamFraming, StreamOpen } from './transports/stream';
export { frameObjects } from './transports/frame-objects';
export { readPush, readChannels, readCursor, parseChannelList } from './push-request';
export type { PushRequest } from './push-request';
export type { HeartbeatSet, HeartbeatTarget } from './heartbeat-timer';
export { errorResponse, json, jsonText } from './responses';
export type { AuthorizeAction, AuthorizeContext, CometOptions, OriginList, ResolvedOptions } from './options';
export type { CometStats } from './stats';
export { exposePrometheus } from './prometheus';
export type { PromClientLike, PrometheusOptions } from './prometheus';

export { createMemoryBroker, DEFAULT_HISTORY } from './memory-broker';
export type { HistoryOptions, MemoryBrokerOptions } from './memory-broker';
export type { Broker, GapReason, LogEntry, ReadResult } from './broker';
export { cachedFrame, createLogEntry, cursorBeforeEntry, withPositions } from './log-entry';
export { ChannelFilter } from './channel-filter';
export { SubscriptionIndex } from './subscription-index';

export { parseChannel, matchesPattern, MAX_CHANNEL_LENGTH, MAX_CHANNEL_SEGMENTS } from './channel';
export type { ParsedChannel } from './channel';
export { formatCursor, parseCursor, newEpoch } from './cursor';
export { isAtOrBefore, MAX_CURSOR_PARTITIONS } from '@cometkit/protocol';
export type { Cursor } from './cursor';

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

export { handleNode } from './node/handle-node';
export { withComet } from './node/with-comet';
export type { RequestListener } from './node/with-comet';
export type { NodeRequestInfo } from './node/node-request';

// Mounting, diagnostics, and what entry points that answer requests themselves (Bayeux) share.
export { toMountable } from './mountable';
export type { Mountable, MountableHandler, Mounted } from './mountable';
export { createLog } from './log';
export type { CometLogger, Log } from './log';
export { isClientGone } from './node/client-gone';
export { ClientSignal } from './node/client-signal';
export type { WithCometOptions } from './node/with-comet';
// For entry points that answer cross-origin and JSONP requests themselves (Bayeux).
export { corsHeaders, preflight, withCors } from './cors';
export { readCallback, escapeLineTerminators, MAX_CALLBACK_LENGTH } from './callback-name';
export { EntryRing } from './log/entry-ring';
