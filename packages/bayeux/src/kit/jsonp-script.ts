import { escapeLineTerminators, type CometBodyResponse, type CometError, type CometHeaders } from '@cometkit/core';

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

/** The script calling `callback` (read with `readCallback`) with `json`, line terminators escaped. */
export function jsonpScript(callback: string, json: string): CometBodyResponse {
  return { status: 200, headers: SCRIPT_HEADERS, body: `${scriptStart(callback)}${escapeLineTerminators(json)});` };
}

/**
 * An error handed to the callback, with status 200 (a browser runs no script served with an error
 * status); the answer is still marked as an error, so it is counted as one.
 */
export function jsonpError(callback: string, error: CometError): CometBodyResponse {
  return { ...jsonpScript(callback, JSON.stringify({ ...error.toBody(), status: error.status })), error: error.code };
}
