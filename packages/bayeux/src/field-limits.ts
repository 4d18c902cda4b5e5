import { bayeuxError, type BayeuxMessage } from './message';
import type { ResolvedBayeuxOptions } from './options';
import { failure, failureWithId } from './reply';

/**
 * The refusal of a message whose `id` or `ext` is too large to be taken, or undefined. Checked on
 * every door before extensions and handlers see the message, so an oversized `id` is never echoed
 * (its refusal has none) nor kept for a held connect's answer. `rawLength` is the size of what the
 * client sent: a field cannot be larger, so a small request is not measured.
 */
export function refuseOversized(message: Record<string, unknown>, channel: string, options: ResolvedBayeuxOptions, rawLength: number): BayeuxMessage | undefined {
  const { maxIdLength, maxExtBytes } = options;
  if (rawLength > maxIdLength && message.id !== undefined && idLength(message.id) > maxIdLength) {
    return failureWithId(undefined, channel, bayeuxError(400, ['id'], 'Field too large'));
  }
  if (rawLength > maxExtBytes && message.ext !== undefined && JSON.stringify(message.ext).length > maxExtBytes) {
    return failure(message, channel, bayeuxError(400, ['ext'], 'Field too large'));
  }
  return undefined;
}

/** A string's length, a number's digits, anything else's JSON text length. */
function idLength(id: unknown): number {
  if (typeof id === 'string') return id.length;
  if (typeof id === 'number') return String(id).length;
  return JSON.stringify(id)?.length ?? 0;
}
