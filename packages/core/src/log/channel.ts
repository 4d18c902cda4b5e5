import { parseChannel as parseWireChannel, type ParsedChannel } from '@cometkit/protocol';
import { cometError, type CometError } from '../errors';

export { matchesPattern, MAX_CHANNEL_LENGTH, MAX_CHANNEL_SEGMENTS, type ParsedChannel } from '@cometkit/protocol';

/**
 * Parses a channel name or pattern (the grammar of `@cometkit/protocol`). Returns a
 * {@link CometError} (`bad_channel`) for anything malformed or reserved (`meta/…`, `service/…`);
 * `allowPattern: false` also refuses wildcards (publishing to a pattern is an error).
 */
export function parseChannel(input: unknown, allowPattern: boolean): ParsedChannel | CometError {
  const parsed = parseWireChannel(input, allowPattern);
  return 'error' in parsed ? cometError('bad_channel', parsed.error) : parsed;
}
