import { randomBytes } from 'node:crypto';
import { parseCursor as parseWireCursor, type Cursor } from '@cometkit/protocol';
import { cometError, type CometError } from '../errors';

export { formatCursor, type Cursor } from '@cometkit/protocol';

/** The refusal of a cursor that is not one of ours in form. */
export function badCursor(): CometError {
  return cometError('bad_cursor', 'The cursor is malformed; send back a cursor the server gave you.');
}

/** Parses cursor text from a client; `bad_cursor` when it is not one of ours in form. */
export function parseCursor(text: string): Cursor | CometError {
  return parseWireCursor(text) ?? badCursor();
}

/**
 * A fresh epoch: time-ordered (milliseconds in base 36, 8 characters until the year 2059) then 48
 * random bits from the system's CSPRNG as 10 base-36 characters, so two logs never share one even
 * when started in the same millisecond. At most 19 characters, inside the cursor grammar's 24.
 */
export function newEpoch(): string {
  // Fixed width, so epochs of one millisecond still sort as text and never look shorter than they are.
  const random = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(10, '0');
  return Date.now().toString(36) + random;
}
