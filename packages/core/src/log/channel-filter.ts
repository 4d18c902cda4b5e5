import { matchesPattern, type ParsedChannel } from './channel';

/** The set of channels one request asked for, compiled for the replay path (reading history). */
export class ChannelFilter {
  constructor(readonly channels: readonly ParsedChannel[]) {}

  /** True when the exact channel (`name`, `segments`) is one this filter asked for. */
  matches(name: string, segments: readonly string[]): boolean {
    // A request names at most a few dozen channels (32 by default): a loop beats building a Set
    // for every held request.
    for (const channel of this.channels) {
      if (channel.isPattern ? matchesPattern(channel.segments, segments) : channel.name === name) return true;
    }
    return false;
  }
}
