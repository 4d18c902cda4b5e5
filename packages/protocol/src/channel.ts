/**
 * Channel names are `/`-separated segments, as in Bayeux. The canonical form has no leading slash
 * (`orders/42`); a leading slash is accepted and dropped, so a Bayeux client's `/chat/room` meets a
 * cometkit client's `chat/room`. A first segment `meta` or `service` is Bayeux's own (handshakes,
 * request/response): such channels are reserved, never published to and never subscribed.
 *
 * Patterns: a `*` segment matches exactly one segment; a final `**` matches one or more.
 */

/** Longest channel name or pattern accepted, in characters. */
export const MAX_CHANNEL_LENGTH = 200;
/** Most segments in one name. */
export const MAX_CHANNEL_SEGMENTS = 16;

/** Bayeux's segment characters (alphanumerics and `- _ ! ~ ( ) $ @`), plus `. : + = , %` that cometkit always took. */
const SEGMENT = /^[A-Za-z0-9_.~@:+=,!$%()-]+$/;

/** First segments Bayeux keeps for itself. */
const RESERVED = new Set(['meta', 'service']);

/** A channel or pattern, parsed. */
export interface ParsedChannel {
  /** Canonical text, no leading slash. */
  name: string;
  segments: string[];
  /** True when any segment is `*` or `**`. */
  isPattern: boolean;
}

/** Why a channel name was refused, in words fit for an error message. */
export interface ChannelError {
  error: string;
}

/** The canonical name: without its leading slash. Checks nothing else. */
export function canonicalChannel(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/** True when the channel's first segment is Bayeux's (`meta`, `service`). */
export function isReservedChannel(segments: readonly string[]): boolean {
  return RESERVED.has(segments[0]!);
}

/**
 * Parses a channel name or pattern, or says why it is refused: malformed, a reserved channel
 * (`meta/…`, `service/…`), or, with `allowPattern: false` (publishing), a pattern.
 */
export function parseChannel(input: unknown, allowPattern: boolean): ParsedChannel | ChannelError {
  if (typeof input !== 'string' || input.length === 0) return { error: 'A channel name must be a non-empty string.' };
  if (input.length > MAX_CHANNEL_LENGTH) return { error: `A channel name is at most ${MAX_CHANNEL_LENGTH} characters.` };
  const segments = canonicalChannel(input).split('/');
  if (segments.length > MAX_CHANNEL_SEGMENTS) return { error: `A channel name has at most ${MAX_CHANNEL_SEGMENTS} segments.` };
  let isPattern = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '*' || segment === '**') {
      if (!allowPattern) return { error: `"${input}" is a pattern; messages go to exact channels only.` };
      if (segment === '**' && i !== segments.length - 1) return { error: `"**" may only be the last segment of "${input}".` };
      isPattern = true;
    } else if (!SEGMENT.test(segment)) {
      return { error: `"${input}" is not a valid channel name.` };
    }
  }
  if (isReservedChannel(segments)) {
    return { error: `"${input}" is reserved: channels under meta/ and service/ are Bayeux's own and carry no messages.` };
  }
  return { name: segments.join('/'), segments, isPattern };
}

/**
 * True when `channel` (exact, canonical segments) matches `pattern` (segments). A wildcard never
 * matches a reserved channel's first segment, so `**` is "every channel a publisher can use".
 */
export function matchesPattern(pattern: readonly string[], channel: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i];
    if (i === 0 && (segment === '*' || segment === '**') && isReservedChannel(channel)) return false;
    if (segment === '**') return channel.length > i;
    if (i >= channel.length) return false;
    if (segment !== '*' && segment !== channel[i]) return false;
  }
  return pattern.length === channel.length;
}
