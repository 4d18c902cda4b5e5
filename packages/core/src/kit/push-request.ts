import { parseChannel, type ParsedChannel } from '../log/channel';
import { parseCursor, type Cursor } from '../log/cursor';
import { cometError, isCometError, type CometError } from '../errors';

/** What a push request (poll or stream) asks for. */
export interface PushRequest {
  readonly channels: readonly ParsedChannel[];
  /** Where to resume; undefined means "from now". */
  readonly cursor: Cursor | undefined;
  /** The cursor text as sent, for the gap signal. */
  readonly sentCursor: string | undefined;
}

/**
 * Reads the channels a client asks for: `channel` repeated and/or `channels` as a comma list.
 * Duplicates collapse; too many, none, or a malformed one is a CometError.
 */
export function readChannels(query: URLSearchParams, maxChannels: number): readonly ParsedChannel[] | CometError {
  const names = query.getAll('channel');
  for (const list of query.getAll('channels')) names.push(...list.split(','));
  return parseChannelList(names, maxChannels);
}

/**
 * Channel lists parsed lately, by their text: clients of one app ask for the same few lists again
 * and again (every long-poll cycle asks anew), so parsing each once spares a split, a regex per
 * segment and a few objects per request. Bounded; the oldest goes first. The lists are shared:
 * nobody may change one (a subscriber that changes its channels makes a new list).
 */
const recentLists = new Map<string, readonly ParsedChannel[]>();
const RECENT_LISTS = 256;

/** Parses and checks a list of channel names or patterns (as {@link readChannels} does). */
export function parseChannelList(names: readonly unknown[], maxChannels: number): readonly ParsedChannel[] | CometError {
  if (names.length === 0) return cometError('no_channels', 'Name at least one channel: ?channel=NAME.');
  if (names.length > maxChannels) {
    return cometError('too_many_channels', `At most ${maxChannels} channels in one request.`);
  }
  // Keyed by the count too: a valid list's names hold no newline, so no other list (a single name
  // with newlines in it, say) can come to the same key and borrow its checked result.
  const key = names.length === 1 && typeof names[0] === 'string' ? names[0] : names.every((name) => typeof name === 'string') ? `${names.length}\n${names.join('\n')}` : undefined;
  const known = key === undefined ? undefined : recentLists.get(key);
  if (known) return known;
  const byName = new Map<string, ParsedChannel>();
  for (const name of names) {
    const parsed = parseChannel(name, true);
    if (isCometError(parsed)) return parsed;
    byName.set(parsed.name, parsed);
  }
  const list = [...byName.values()];
  if (key !== undefined) {
    if (recentLists.size >= RECENT_LISTS) recentLists.delete(recentLists.keys().next().value!);
    recentLists.set(key, list);
  }
  return list;
}

/** Reads cursor text: absent or empty means "from now". */
export function readCursor(text: string | null | undefined): { cursor: Cursor | undefined; sent: string | undefined } | CometError {
  const cursor = cursorOf(text);
  return isCometError(cursor) ? cursor : { cursor, sent: cursor === undefined ? undefined : (text as string) };
}

/** The cursor in `text`, undefined for "from now" (absent or empty), or `bad_cursor`. */
export function cursorOf(text: string | null | undefined): Cursor | undefined | CometError {
  return text === null || text === undefined || text === '' ? undefined : parseCursor(text);
}
