/**
 * Public exports added while `index.ts` is being rewritten; `index.ts` re-exports this file.
 */
export { toMountable } from './mountable';
export type { Mountable, MountableHandler, Mounted } from './mountable';
export { createLog } from './log';
export type { CometLogger, Log } from './log';
export { isClientGone } from './node/client-gone';
export type { WithCometOptions } from './node/with-comet';
export type { OriginList } from './options';
export type { CometErrorDetails } from './errors';
// For entry points that answer cross-origin and JSONP requests themselves (Bayeux).
export { corsHeaders, preflight, withCors } from './cors';
export { readCallback, escapeLineTerminators, MAX_CALLBACK_LENGTH } from './callback-name';
