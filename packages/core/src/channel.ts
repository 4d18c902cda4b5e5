import { cometError, type CometError } from './errors';

/**
 * Channel names are `/`-separated segments, as in Bayeux. The canonical form has no leading slash
 * (`orders/42`); a leading slash is accepted and dropped, so `/orders/42` is the same channel and a
 * Bayeux client's `/chat/room` meets a cometkit client's `chat/room`.
 *
 * Patterns: a `*` segment matches exactly one segment; a final `**` matches one or more.
 */

/** Longest channel name or pattern accepted, in characters. */
export const MAX_CHANNEL_LENGTH = 200;
/** Most segments in one name. */
export const MAX_CHANNEL_SEGMENTS = 16;

const SEGMENT = /^[A-Za-z0-9_.~@:+=,!$%-]+$/;

/** A channel or pattern, parsed. */
export interface ParsedChannel {
  /** Canonical text, no leading slash. */
  name: string;
  segments: string[];
  /** True when any segment is `*` or `**`. */
  isPattern: boolean;
}

/**
 * Parses a channel name or pattern. Returns a {@link CometError} (`bad_channel`) for anything
 * malformed; `allowPattern: false` also refuses wildcards (publishing to a pattern is an error).
 */
export function parseChannel(input: unknown, allowPattern: boolean): ParsedChannel | CometError {
  if (typeof input !== 'string' || input.length === 0) {
    return cometError('bad_channel', 'A channel name must be a non-empty string.');
  }
  if (input.length > MAX_CHANNEL_LENGTH) {
    return cometError('bad_channel', `A channel name is at most ${MAX_CHANNEL_LENGTH} characters.`);
  }
  const name = input.startsWith('/') ? input.slice(1) : input;
  const segments = name.split('/');
  if (segments.length > MAX_CHANNEL_SEGMENTS) {
    return cometError('bad_channel', `A channel name has at most ${MAX_CHANNEL_SEGMENTS} segments.`);
  }
  let isPattern = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '*' || segment === '**') {
      if (!allowPattern) {
        return cometError('bad_channel', `"${input}" is a pattern; messages go to exact channels only.`);
      }
      if (segment === '**' && i !== segments.length - 1) {
        return cometError('bad_channel', `"**" may only be the last segment of "${input}".`);
      }
      isPattern = true;
    } else if (!SEGMENT.test(segment)) {
      return cometError('bad_channel', `"${input}" is not a valid channel name.`);
    }
  }
  return { name: segments.join('/'), segments, isPattern };
}

/** True when `channel` (exact, canonical segments) matches `pattern` (segments). */
export function matchesPattern(pattern: readonly string[], channel: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i];
    if (segment === '**') return channel.length > i;
    if (i >= channel.length) return false;
    if (segment !== '*' && segment !== channel[i]) return false;
  }
  return pattern.length === channel.length;
}
