/**
 * What Bayeux needs of `@cometkit/core/kit` that core on this branch does not offer yet, each
 * file written against core's public names only, with the kit's names and signatures: at merge
 * every `../kit` import becomes `@cometkit/core/kit` and this folder goes (the hold moves into
 * core's `kit/hold.ts`, the others are there already).
 */
export { clampHold, hold } from './hold';
export type { Hold, HoldOutcome, HoldSpec } from './hold';
export { jsonpError, jsonpScript } from './jsonp-script';
export { publishFromClient } from './publish';
export type { ClientMessage } from './publish';
