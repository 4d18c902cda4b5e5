import { cometError, type CometError } from '../errors';
import type { CometBodyResponse, CometHeaders } from '../neutral';

/** Longest JSONP or iframe callback name accepted. */
export const MAX_CALLBACK_LENGTH = 64;

const IDENTIFIER_PATH = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

/**
 * Reads the `callback` parameter: a JavaScript identifier path (`cb`, `app.onMessage`) of at most
 * 64 characters. Anything else could inject script, so it is refused (`bad_callback`). With
 * `under`, the path must start there: a forever frame calls only into its parent
 * (`parent.app.onFrame`), never `top.location.assign` or another global of its own window.
 */
export function readCallback(query: URLSearchParams, under?: string): string | CometError {
  const name = query.get('callback');
  if (name === null || name === '') return cometError('bad_callback', 'Name a callback: ?callback=NAME.');
  if (name.length > MAX_CALLBACK_LENGTH || !IDENTIFIER_PATH.test(name)) {
    return cometError('bad_callback', `The callback must be a JavaScript identifier path of at most ${MAX_CALLBACK_LENGTH} characters.`);
  }
  if (under !== undefined && !name.startsWith(under + '.')) {
    return cometError('bad_callback', `The callback must be a function under ${under} (${under}.NAME).`);
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

/**
 * Headers of every script answer (JSONP polls, Bayeux callback-polling): JavaScript, never cached,
 * never sniffed as anything else, and never rendered in place if opened directly.
 */
export const SCRIPT_HEADERS: CometHeaders = Object.freeze({
  'content-type': 'application/javascript; charset=utf-8',
  'cache-control': 'no-cache, no-store',
  'x-content-type-options': 'nosniff',
  'content-disposition': 'attachment',
});

/**
 * What comes before the argument: `/**\/` so the body never starts like a SWF or other file type
 * (Rosetta Flash), and a `typeof` guard so a page without the callback gets no error.
 */
export function scriptStart(callback: string): string {
  return `/**/typeof ${callback}==='function'&&${callback}(`;
}

const SCRIPT_END = Buffer.from(');');

/** The script calling `callback` (read with {@link readCallback}) with `json`, line terminators escaped. */
export function jsonpScript(callback: string, json: string): CometBodyResponse {
  return { status: 200, headers: SCRIPT_HEADERS, body: `${scriptStart(callback)}${escapeLineTerminators(json)});` };
}

/**
 * The same around JSON already escaped and encoded: answers of one batch share those bytes, and
 * each poller's body is its callback's few bytes around one copy of them.
 */
export function jsonpScriptAround(callback: string, escapedJson: Buffer): CometBodyResponse {
  return { status: 200, headers: SCRIPT_HEADERS, body: Buffer.concat([Buffer.from(scriptStart(callback)), escapedJson, SCRIPT_END]) };
}

/**
 * An error handed to the callback, with status 200 (a browser runs no script served with an error
 * status); the answer is still marked as an error, so it is counted as one.
 */
export function jsonpError(callback: string, error: CometError): CometBodyResponse {
  return { ...jsonpScript(callback, JSON.stringify({ ...error.toBody(), status: error.status })), error: error.code };
}
