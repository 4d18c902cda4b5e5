/**
 * @cometkit/ws: the hub over WebSocket. {@link attachWebSocket} serves the hub's channels, cursors
 * and gap signal on a Node server's `upgrade` event, as the transport `ws`. The building blocks
 * below it are exported for other WebSocket entry points on a hub (Bayeux's), so that every
 * socket keeps the same rules.
 */
export { attachWebSocket } from './attach';
export type { AttachedWebSocket } from './attach';
export type { WebSocketOptions, ResolvedWebSocketOptions, WebSocketDefaults } from './options';
export { resolveWebSocketOptions } from './options';
export { closeCode, POLICY_VIOLATION, UNSUPPORTED_DATA } from './close-codes';
export type { ClientFrame, FrameId } from './client-frame';
export { routeUpgrade } from './upgrade-dispatcher';
export type { UpgradeHandler } from './upgrade-dispatcher';
export { createSocketEndpoint } from './socket-endpoint';
export type { AcceptUpgrade, SocketEndpoint } from './socket-endpoint';
export { refuseUpgrade } from './refuse';
export { UpgradeRequest } from './upgrade-request';
export { SocketGuard } from './socket-guard';
export type { GuardLimits } from './socket-guard';
export { compactFrame } from './compact-frame';
export { SocketSink } from './socket-sink';
