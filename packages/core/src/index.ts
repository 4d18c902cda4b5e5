/**
 * @cometkit/core: the framework-neutral Comet hub, for applications. Build a hub with
 * {@link createComet}, mount it with `@cometkit/express` or `@cometkit/koa` (or {@link withComet} /
 * {@link handleNode} on a bare `node:http` server), and publish from app code with
 * `hub.publish(channel, data)`.
 *
 * These names are the stable application API. What entry points (transports, WebSocket, Bayeux,
 * adapters, brokers) are built from is `@cometkit/core/kit`.
 */
export { createComet } from './hub';
export type { CometHub, PublishResult } from './hub';
export type { CometOptions, OriginList, ResolvedOptions } from './options';
export type { Authenticate, AuthorizeAction, AuthorizeContext } from './engine/settings';
export type { ChannelRule, ChannelRules, Identity, Rule } from './rules/channel-rules';
export type { ChannelSource, EndpointOptions } from './http/router';

// Mounting without a framework.
export { handleNode } from './http/node/handle-node';
export { withComet } from './http/node/with-comet';
export type { RequestListener, WithCometOptions } from './http/node/with-comet';
export type { NodeRequestInfo } from './http/node/node-request';
export type { CometHandler, CometRequest, CometResponse } from './neutral';

// Brokers: where messages and history live.
export { createMemoryBroker, DEFAULT_HISTORY } from './log/memory-broker';
export type { HistoryOptions, MemoryBroker, MemoryBrokerOptions } from './log/memory-broker';
export type { Broker } from './log/broker';

// Channels, for hooks that reason about them.
export { parseChannel, matchesPattern, MAX_CHANNEL_LENGTH, MAX_CHANNEL_SEGMENTS } from './log/channel';
export type { ParsedChannel } from './log/channel';
export { patternCovers } from './rules/pattern-covers';

// Errors are values with a code; one table maps codes to statuses.
export { CometError, cometError, isCometError, ERROR_STATUS } from './errors';
export type { CometErrorDetails, ErrorBody, ErrorCode } from './errors';

// Observing it.
export type { CometStats } from './engine/stats';
export type { CometLogger } from './diagnostics';
export { exposePrometheus } from './prometheus';
export type { PromClientLike, PrometheusOptions } from './prometheus';
