import { cometError, type CometError } from '../errors';

/** Longest JSONP or iframe callback name accepted. */
export const MAX_CALLBACK_LENGTH = 64;

const IDENTIFIER_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

/**
 * Reads the `callback` parameter: a JavaScript identifier path (`cb`, `parent.app.onFrame`) of at
 * most 64 characters. Anything else could inject script, so it is refused (`bad_callback`).
 */
export function readCallback(query: URLSearchParams): string | CometError {
  const name = query.get('callback');
  if (name === null || name === '') return cometError('bad_callback', 'Name a callback: ?callback=NAME.');
  if (name.length > MAX_CALLBACK_LENGTH || !IDENTIFIER_PATH.test(name)) {
    return cometError('bad_callback', `The callback must be a JavaScript identifier path of at most ${MAX_CALLBACK_LENGTH} characters.`);
  }
  return name;
}

/** Escapes U+2028 and U+2029, which JSON allows raw but older JavaScript parsers end lines on. */
export function escapeLineTerminators(json: string): string {
  return json.replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

/**
 * Escapes JSON for a `<script>` block in HTML: `<`, `>` and `&` as well as U+2028/2029, so no
 * message can close the block (`</script>`) or open a comment (`<!--`).
 */
export function escapeForScriptBlock(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
