/**
 * @cometkit/core: the framework-neutral Comet hub. Build a hub with {@link createComet}, mount it
 * with `@cometkit/express` or `@cometkit/koa` (or {@link handleNode} on a bare `node:http` server),
 * and publish from app code with `hub.publish(channel, data)`.
 */
export { createComet } from './hub';
export type { CometHub, ChannelSource, EndpointOptions, PublishResult } from './hub';
export type { AuthorizeAction, AuthorizeContext, CometOptions, ResolvedOptions } from './options';
export type { CometStats } from './stats';
export { exposePrometheus } from './prometheus';
export type { PromClientLike, PrometheusOptions } from './prometheus';

export { createMemoryBroker, DEFAULT_HISTORY } from './memory-broker';
export type { HistoryOptions, MemoryBrokerOptions } from './memory-broker';
export type { Broker, GapReason, LogEntry, ReadResult } from './broker';
export { createLogEntry } from './log-entry';
export { ChannelFilter } from './channel-filter';
export { SubscriptionIndex } from './subscription-index';

export { parseChannel, matchesPattern, MAX_CHANNEL_LENGTH, MAX_CHANNEL_SEGMENTS } from './channel';
export type { ParsedChannel } from './channel';
export { formatCursor, parseCursor, newEpoch } from './cursor';
export type { Cursor } from './cursor';

export { CometError, cometError, isCometError, ERROR_STATUS } from './errors';
export type { ErrorBody, ErrorCode } from './errors';

export { isStreamResponse } from './neutral';
export type {
  CometBodyResponse,
  CometHandler,
  CometHeaders,
  CometRequest,
  CometResponse,
  CometStreamResponse,
  ParsedBody,
  StreamSink,
} from './neutral';

export { handleNode } from './node/handle-node';
export { withComet } from './node/with-comet';
export type { RequestListener } from './node/with-comet';
export type { NodeRequestInfo } from './node/node-request';
export * from './public-extras';
