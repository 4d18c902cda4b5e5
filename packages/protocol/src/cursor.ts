/**
 * A cursor names a place in one broker's ordered log: the log's epoch (which changes whenever its
 * history is lost) and the position of the last entry the holder has seen. On the wire it is
 * opaque text: `<epoch>-<position>`, for example `lq3x9a2k-1042`.
 */
export interface Cursor {
  epoch: string;
  /** Position of the last entry seen; 0 means "before the first entry of this epoch". */
  position: number;
}

/** The one cursor grammar: an epoch of 1–24 lowercase letters and digits, a dash, a position without leading zeros. */
const CURSOR = /^([a-z0-9]{1,24})-(0|[1-9][0-9]{0,15})$/;

/** Cursor text for the wire. */
export function formatCursor(cursor: Cursor): string {
  return `${cursor.epoch}-${cursor.position}`;
}

/** Parses cursor text; undefined when it is not a cursor in form (or its position is not a safe integer). */
export function parseCursor(text: string): Cursor | undefined {
  const match = CURSOR.exec(text);
  if (!match) return undefined;
  const position = Number(match[2]);
  return Number.isSafeInteger(position) ? { epoch: match[1]!, position } : undefined;
}
