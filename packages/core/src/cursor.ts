import { cometError, type CometError } from './errors';

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

const CURSOR = /^([a-z0-9]{1,24})-(0|[1-9][0-9]{0,15})$/;

/** Cursor text for the wire. */
export function formatCursor(cursor: Cursor): string {
  return `${cursor.epoch}-${cursor.position}`;
}

/** Parses cursor text from a client; `bad_cursor` when it is not one of ours in form. */
export function parseCursor(text: string): Cursor | CometError {
  const match = CURSOR.exec(text);
  const position = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(position)) {
    return cometError('bad_cursor', 'The cursor is malformed; send back a cursor the server gave you.');
  }
  return { epoch: match[1]!, position };
}

/** A fresh epoch: time-ordered and random, so two logs never share one. */
export function newEpoch(): string {
  const random = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
  return Date.now().toString(36) + random;
}
