import { cometError, isCometError, type CometError, type CometRequest } from '@cometkit/core';
import { isPlainObject } from '../message';

/*
 * The messages of a request, as each connection type sends them:
 * - `POST` with `Content-Type: application/json`: a JSON array of messages, or one message;
 * - `POST` with any other type (`text/plain`, a form, none): the form field `message`, as Faye's
 *   cross-origin transport sends it (a CORS "simple request"), repeated or holding an array; a body
 *   that is no form but JSON is taken as JSON;
 * - `GET ?message=…` (callback-polling), the field repeated or holding an array.
 * A body that holds no Bayeux message at all (malformed JSON, an empty array, something that is
 * not an object) is a `bad_json`/`bad_request` CometError: there is no message to answer.
 * The body is read by the caller (its one promise step per request); these take it apart at once.
 * A WebSocket frame is JSON text ({@link fromJson}).
 */

/** The messages of a `GET ?message=…` (callback-polling). */
export function queryMessages(request: CometRequest): object[] | CometError {
  return fromFields(request.query.getAll('message'));
}

/** The messages of a body the request read. */
export function bodyMessages(body: Buffer | { parsed: unknown }, request: CometRequest): object[] | CometError {
  return Buffer.isBuffer(body) ? fromText(body.toString('utf8'), request) : fromParsed(body);
}

/** A body that could not be read: its CometError (too large, cut off) is the request's answer; anything else is thrown on. */
export function bodyRefused(error: unknown): CometError {
  if (isCometError(error)) return error;
  throw error;
}

/** JSON (by its type, or by its first character), else a form's `message` fields. */
function fromText(body: string, request: CometRequest): object[] | CometError {
  const type = request.header('content-type');
  if (type === 'application/json' || JSON_TYPE.test(type ?? '')) return fromJson(body);
  const trimmed = body.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return fromJson(body);
  return fromFields(new URLSearchParams(body).getAll('message'));
}

/** `application/json`, any case, with parameters or not (tested without taking the header apart). */
const JSON_TYPE = /^\s*application\/json\s*(;|$)/i;

/** `express.json()` gave the messages; `express.urlencoded()` gave `{ message }`; text parsers gave text. */
function fromParsed(body: { parsed: unknown }): object[] | CometError {
  const { parsed } = body;
  if (typeof parsed === 'string') return fromJson(parsed);
  if (isPlainObject(parsed) && !('channel' in parsed) && 'message' in parsed) {
    const field = parsed.message;
    return fromFields(Array.isArray(field) ? field.map(String) : [String(field)]);
  }
  return asMessages(parsed);
}

function fromFields(fields: readonly string[]): object[] | CometError {
  if (fields.length === 0) return cometError('bad_request', 'No Bayeux message: send JSON, or a "message" field.');
  const messages: object[] = [];
  for (const field of fields) {
    const some = fromJson(field);
    if (isCometError(some)) return some;
    messages.push(...some);
  }
  return messages;
}

/** Messages from JSON text (an array of them or one); a CometError when it holds none. */
export function fromJson(text: string): object[] | CometError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return cometError('bad_json', 'The body is not JSON.');
  }
  return asMessages(value);
}

function asMessages(value: unknown): object[] | CometError {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return cometError('bad_request', 'An empty batch: send at least one message.');
  if (!list.every(isPlainObject)) return cometError('bad_request', 'Every Bayeux message is a JSON object.');
  return list;
}
