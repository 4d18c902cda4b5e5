/**
 * @cometkit/ws: the hub over WebSocket. {@link attachWebSocket} serves the hub's channels, cursors
 * and gap signal on a Node server's `upgrade` event, as the transport `ws`.
 */
export { attachWebSocket } from './attach';
export type { AttachedWebSocket } from './attach';
export type { WebSocketOptions, ResolvedWebSocketOptions } from './options';
export { closeCode } from './close-codes';
export type { ClientFrame, FrameId } from './client-frame';
