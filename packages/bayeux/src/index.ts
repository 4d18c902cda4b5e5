/**
 * @cometkit/bayeux: Bayeux 1.0 (the protocol of Faye and CometD) on a cometkit hub. Real Faye and
 * CometD clients use it unchanged, on the same channels, history and cursor order as every other
 * cometkit transport, with no message lost across dropped connects.
 */
export { createBayeux } from './bayeux';
export type { BayeuxEndpoint } from './bayeux';
export type { BayeuxExtension, BayeuxOptions, ExtensionContext, ResolvedBayeuxOptions } from './options';
export { createMemorySessionStore } from './memory-session-store';
export type { MemorySessionStoreOptions } from './memory-session-store';
export type { BayeuxSession, SentAnswer, SessionPatch, SessionStore } from './session-store';
export { attachBayeuxWebSocket } from './web-socket';
export type { AttachedBayeuxWebSocket, BayeuxWebSocketOptions } from './web-socket';
export { bayeuxError, CONNECTION_TYPES, META, WEBSOCKET } from './message';
export type { BayeuxAdvice, BayeuxMessage } from './message';
