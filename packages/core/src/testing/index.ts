/**
 * @cometkit/core/testing: the contracts cometkit's parts are held to, as code any test runner can
 * run. A broker of your own passes {@link brokerAudits} before the engine can rely on it; a
 * transport, an adapter or a broker passes the transport conformance suite
 * ({@link describeConformance}, or {@link conformanceAudits} for a runner without globals) over
 * real sockets. The drivers and HTTP helpers the suite speaks with come with it.
 */
export { brokerAudits } from './broker-contract';
export type { BrokerAudit, BrokerHarness } from './broker-contract';

export { conformanceAudits, describeConformance, memoryBroker } from './transport-conformance';
export type { BrokerKind, ConformanceAudit, ConformanceSetup, TestRunner } from './transport-conformance';
export { clientPage, listen } from './server-kind';
export type { RunningServer, ServerKind, ServerSetup } from './server-kind';

export { createDriver, drivers, messagesOf, receive } from './transport-drivers';
export type { OptionalBehaviour, TransportDriver } from './transport-drivers';
export { parsers } from './frame-parsers';
export type { Frame, Parser } from './frame-parsers';
export { openResponse, waitForFrames } from './http-connection';
export type { ConnectOptions, Connection } from './http-connection';
export { postJson, request, until } from './http-request';
export type { HttpResult, RequestOptions } from './http-request';
export { freePort } from './free-port';
export { gate } from './gate';
export type { Gate } from './gate';
