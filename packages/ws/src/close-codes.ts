import type { EndReason } from '@cometkit/core/kit';

/**
 * The close code after an `end` frame. Every one means "reconnect with the end frame's cursor";
 * the code tells a client that sees no frame (a proxy in between, a socket cut) how soon:
 * 1012 (service restart) on shutdown, so it goes to another server; 1013 (try again later) for a
 * client too slow to read; 1011 for a server error; 1000 otherwise.
 */
export function closeCode(reason: EndReason): number {
  if (reason === 'closing') return 1012;
  if (reason === 'slow') return 1013;
  if (reason === 'error') return 1011;
  return 1000;
}

/** Closes of a socket that broke a rule: a binary frame (1003) or too many frames (1008). */
export const UNSUPPORTED_DATA = 1003;
export const POLICY_VIOLATION = 1008;
