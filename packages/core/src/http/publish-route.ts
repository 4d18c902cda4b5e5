import { parseChannel, type ParsedChannel } from '../log/channel';
import type { Engine } from '../engine/engine';
import { cometError, isCometError, type CometError } from '../errors';
import { publishFromClient } from '../kit/publish';
import { screenRequest } from '../kit/screen';
import type { CometRequest, CometResponse } from '../neutral';
import type { HttpSettings } from './settings';
import { errorResponse, json } from '../responses';

/**
 * `POST {mount}/publish` with a JSON body `{ "channel": "…", "data": … }`. Off unless
 * `httpPublish` is on; every publish goes through `authorize`. CSRF: only `application/json` is
 * accepted (a cross-site form or no-cors fetch cannot send it), and the request screen refuses a
 * host not in `allowedHosts` and a browser's `Origin` that is neither this host nor CORS-allowed.
 */
export async function handlePublish(request: CometRequest, options: HttpSettings, engine: Engine): Promise<CometResponse> {
  try {
    const message = await readPublish(request, options);
    if (isCometError(message)) return errorResponse(message);
    const entry = await publishFromClient(engine, { channel: message.channel, data: message.data, request, transport: 'publish' });
    return isCometError(entry) ? errorResponse(entry) : json(200, { cursor: entry.cursor });
  } catch (error) {
    if (isCometError(error)) return errorResponse(error);
    throw error;
  }
}

async function readPublish(request: CometRequest, options: HttpSettings): Promise<{ channel: ParsedChannel; data: unknown } | CometError> {
  if (!options.httpPublish) return cometError('forbidden', 'Publishing over HTTP is disabled on this server.');
  if (request.method !== 'POST') return cometError('method_not_allowed', 'Use POST to publish.', { allow: ['POST', 'OPTIONS'] });
  const contentType = request.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return cometError('unsupported_media_type', 'Publish with Content-Type: application/json.');
  }
  const screened = screenRequest(request, options, 'publish');
  if (screened) return screened;
  // A client that goes away mid-body gets nothing back; no error is worth raising for it.
  const body = await request.body(options.maxBodyBytes).catch((error: unknown) => {
    throw isCometError(error) ? error : cometError('bad_request', 'The body could not be read.');
  });
  let value: unknown;
  if (Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return cometError('bad_json', 'The body is not valid JSON.');
    }
  } else {
    value = body.parsed;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('data' in value)) {
    return cometError('bad_request', 'Send { "channel": "name", "data": … }.');
  }
  const { channel, data } = value as { channel: unknown; data: unknown };
  const parsed = parseChannel(channel, false);
  return isCometError(parsed) ? parsed : { channel: parsed, data };
}
