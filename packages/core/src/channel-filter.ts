import { matchesPattern, type ParsedChannel } from './channel';

/** The set of channels one request asked for, compiled for the replay path (reading history). */
export class ChannelFilter {
  private readonly exact = new Set<string>();
  private readonly patterns: (readonly string[])[] = [];

  constructor(readonly channels: readonly ParsedChannel[]) {
    for (const channel of channels) {
      if (channel.isPattern) this.patterns.push(channel.segments);
      else this.exact.add(channel.name);
    }
  }

  /** True when the exact channel (`name`, `segments`) is one this filter asked for. */
  matches(name: string, segments: readonly string[]): boolean {
    if (this.exact.has(name)) return true;
    for (const pattern of this.patterns) if (matchesPattern(pattern, segments)) return true;
    return false;
  }
}
