import { isCometError, parseChannel, type ParsedChannel } from '@cometkit/core';
import { Interner } from '../interner';

/** A session's subscriptions as the engine takes them, and as one comparable key. */
export interface SessionChannels {
  readonly parsed: readonly ParsedChannel[];
  /** The names sorted and joined: a store may list them in any order. */
  readonly key: string;
}

/**
 * Subscriptions parsed once per list, not once per connect, and shared by every subscriber that
 * reads with them: by the list itself (the memory store shares one list between sessions in the
 * same state), else by its key (a store that gives a new list on every read).
 */
const channelsByList = new WeakMap<readonly string[], SessionChannels>();
const channelsByKey = new Interner<SessionChannels>();

/** A session's subscriptions, parsed (they were checked when subscribed). */
export function channelsOf(names: readonly string[]): SessionChannels {
  let channels = channelsByList.get(names);
  if (channels === undefined) {
    const key = [...names].sort().join('\n');
    channels = channelsByKey.get(key, () => ({ parsed: Object.freeze(parsedAll(names)), key }));
    channelsByList.set(names, channels);
  }
  return channels;
}

function parsedAll(names: readonly string[]): ParsedChannel[] {
  const out: ParsedChannel[] = [];
  for (const name of names) {
    const parsed = parseChannel(name, true);
    if (!isCometError(parsed)) out.push(parsed);
  }
  return out;
}
