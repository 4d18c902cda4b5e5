/**
 * @cometkit/bayeux: Bayeux 1.0 (the protocol of Faye and CometD) on a cometkit hub. Real Faye and
 * CometD clients use it unchanged, on the same channels, history and cursor order as every other
 * cometkit transport, with no message lost across dropped connects.
 */
export { createBayeux } from './endpoint/create-bayeux';
export type { BayeuxEndpoint } from './endpoint/create-bayeux';
export type { BayeuxExtension, BayeuxOptions, ExtensionContext, ResolvedBayeuxOptions } from './options';
export { createMemorySessionStore } from './sessions/memory-session-store';
export type { MemorySessionStoreOptions } from './sessions/memory-session-store';
export type { BayeuxSession, SentAnswer, SessionPatch, SessionStore } from './sessions/session-store';
export { attachBayeuxWebSocket } from './socket/web-socket';
export type { AttachedBayeuxWebSocket, BayeuxWebSocketOptions } from './socket/web-socket';
export { bayeuxError, CONNECTION_TYPES, META, WEBSOCKET } from './message';
export type { BayeuxAdvice, BayeuxMessage } from './message';
