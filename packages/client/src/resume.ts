import { isAtOrBefore, parseCursor, type Cursor } from '@cometkit/protocol';

/**
 * The client's place in the server's log, and the rule that drops duplicates. A cursor is
 * `<epoch>-<position>` (or one position per partition, `<epoch>-<p0>_<p1>_…`) and it covers
 * every channel, so one cursor is all a client tracks: a message at or before it, in the same
 * epoch, was already delivered.
 */


/** What {@link Resume.take} decided. */
export type Verdict =
  /** After the client's cursor: deliver it. */
  | 'new'
  /** At or before the cursor: a duplicate, drop it. */
  | 'old'
  /** From another epoch with no gap announced: deliver it, and tell the app messages may be lost. */
  | 'jump';

/** Tracks the last cursor and judges each incoming one. */
export class Resume {
  /** The cursor to resume from (the last one taken). */
  cursor: string | undefined;
  private at: Cursor | undefined;
  /** A gap was announced: the next cursor may come from another epoch or lie behind. */
  private gapOpen = false;

  constructor(cursor?: string) {
    if (cursor) this.move(cursor);
  }

  /** Judges a cursor from the server (a message's, or an `open`/`end`/poll cursor) and moves to it. */
  take(cursor: string): Verdict {
    const next = parseCursor(cursor);
    // Not a cursor the grammar knows (a server newer than this client?): deliver, never drop.
    if (!next) return 'new';
    const at = this.at;
    if (at && isAtOrBefore(next, at)) return 'old';
    const jump = at !== undefined && next.epoch !== at.epoch && !this.gapOpen;
    this.gapOpen = false;
    this.move(cursor);
    return jump ? 'jump' : 'new';
  }

  /** A gap: continue from `cursor` when the server gave one, else accept whatever comes next. */
  gap(cursor?: string): void {
    this.at = undefined;
    this.gapOpen = true;
    if (cursor) this.move(cursor);
  }

  private move(cursor: string): void {
    this.cursor = cursor;
    this.at = parseCursor(cursor);
  }
}
