/**
 * A cursor names a place in one broker's ordered log: the log's epoch (which changes whenever its
 * history is lost) and the position of the last entry the holder has seen. On the wire it is
 * opaque text: `<epoch>-<position>`, for example `lq3x9a2k-1042`. A log split into partitions
 * (each with its own consecutive positions) has one position per partition, in partition order:
 * `<epoch>-<p0>_<p1>_…`, for example `lq3x9a2k-17_0_4_9` (an underscore: a dot or a dash
 * would make text that was refused before, `a-1.5` or `a-1-2`, a cursor now).
 */
export interface Cursor {
  epoch: string;
  /**
   * Position of the last entry seen; 0 means "before the first entry of this epoch". With
   * several partitions, the sum of {@link Cursor.positions} (how many entries lie before it).
   */
  position: number;
  /** One position per partition, present only when the log has more than one partition. */
  positions?: readonly number[];
}

/** Most partitions a cursor may name (and so a partitioned log may have). */
export const MAX_CURSOR_PARTITIONS = 64;
/** Longest cursor text: a 24-character epoch, a dash, 64 positions of 16 digits and the underscores between them. */
export const MAX_CURSOR_LENGTH = 24 + 1 + MAX_CURSOR_PARTITIONS * 17 - 1;

/** What {@link parseSingle} answers for text that may be the partitioned form. */
const NOT_SINGLE = null;
/** The partitioned form: two or more such positions, separated by underscores (unambiguous: no backtracking). */
const VECTOR = /^([a-z0-9]{1,24})-((?:0|[1-9][0-9]{0,15})(?:_(?:0|[1-9][0-9]{0,15}))+)$/;

/**
 * The one-position form: an epoch of 1–24 lowercase letters and digits, a dash, a position without
 * leading zeros (`^([a-z0-9]{1,24})-(0|[1-9][0-9]{0,15})$`), read by hand (every poll sends one: a
 * regex match costs an array and two strings). Answers the cursor, undefined when the text cannot be a cursor at all, or NOT_SINGLE
 * when it may be the partitioned form (an underscore after the dash).
 */
function parseSingle(text: string): Cursor | undefined | typeof NOT_SINGLE {
  const dash = text.indexOf('-');
  if (dash < 1 || dash > 24) return undefined;
  for (let i = 0; i < dash; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return undefined;
  }
  const digits = text.length - dash - 1;
  if (digits < 1) return undefined;
  let position = 0;
  for (let i = dash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 95) return NOT_SINGLE; // `_`: the partitioned form
    if (c < 48 || c > 57) return undefined;
    position = position * 10 + (c - 48);
  }
  if (digits > 16 || (digits > 1 && text.charCodeAt(dash + 1) === 48)) return undefined;
  return Number.isSafeInteger(position) ? { epoch: text.slice(0, dash), position } : undefined;
}

/** Cursor text for the wire. */
export function formatCursor(cursor: Cursor): string {
  return cursor.positions ? `${cursor.epoch}-${cursor.positions.join('_')}` : `${cursor.epoch}-${cursor.position}`;
}

/**
 * Parses cursor text; undefined when it is not a cursor in form (a position that is not a safe
 * integer, more than {@link MAX_CURSOR_PARTITIONS} positions, text longer than {@link MAX_CURSOR_LENGTH}).
 */
export function parseCursor(text: string): Cursor | undefined {
  const single = parseSingle(text);
  if (single !== NOT_SINGLE) return single;
  if (text.length > MAX_CURSOR_LENGTH) return undefined;
  const vector = VECTOR.exec(text);
  if (!vector) return undefined;
  const parts = vector[2]!.split('_');
  if (parts.length > MAX_CURSOR_PARTITIONS) return undefined;
  const positions: number[] = [];
  let sum = 0;
  for (const part of parts) {
    const position = Number(part);
    if (!Number.isSafeInteger(position)) return undefined;
    positions.push(position);
    sum += position;
  }
  return { epoch: vector[1]!, position: sum, positions };
}

/**
 * True when `a` names a place at or before `b` in the same log: the same epoch and, position by
 * position, none ahead (a message with such a cursor has been seen by a holder of `b`). Cursors of
 * different shapes (one position against several, or different partition counts) never compare.
 */
export function isAtOrBefore(a: Cursor, b: Cursor): boolean {
  if (a.epoch !== b.epoch) return false;
  const pa = a.positions;
  const pb = b.positions;
  if (!pa || !pb) return !pa && !pb && a.position <= b.position;
  if (pa.length !== pb.length) return false;
  for (let i = 0; i < pa.length; i++) if (pa[i]! > pb[i]!) return false;
  return true;
}
