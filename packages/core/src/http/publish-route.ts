import type { LogEntry } from '../log/broker';
import { parseChannel, type ParsedChannel } from '../log/channel';
import { cometError, isCometError, type CometError } from '../errors';
import type { CometRequest, CometResponse } from '../neutral';
import type { ResolvedOptions } from '../options';
import { errorResponse, json } from '../responses';

/**
 * `POST {mount}/publish` with a JSON body `{ "channel": "…", "data": … }`. Off unless
 * `httpPublish` is on; every publish goes through `authorize`. CSRF: only `application/json` is
 * accepted (a cross-site form or no-cors fetch cannot send it), a browser's `Origin`, when
 * sent, must be this host or a CORS-allowed origin, and with `allowedHosts` set the `Host` must be
 * listed (against DNS rebinding, where Origin and Host are both the attacker's name).
 */
export async function handlePublish(
  request: CometRequest,
  options: ResolvedOptions,
  publish: (channel: ParsedChannel, data: unknown) => Promise<LogEntry>,
): Promise<CometResponse> {
  try {
    const message = await readPublish(request, options);
    if (isCometError(message)) return errorResponse(message);
    const allowed = await options.authorize('publish', {
      channels: [message.channel.name],
      data: message.data,
      request,
    });
    if (!allowed) return errorResponse(cometError('forbidden', 'Not allowed to publish to this channel.'));
    const entry = await publish(message.channel, message.data).catch((error: unknown) => {
      throw isCometError(error) ? error : cometError('unavailable', 'The message log is unavailable; retry.');
    });
    return json(200, { cursor: entry.cursor });
  } catch (error) {
    if (isCometError(error)) return errorResponse(error);
    throw error;
  }
}

async function readPublish(
  request: CometRequest,
  options: ResolvedOptions,
): Promise<{ channel: ParsedChannel; data: unknown } | CometError> {
  if (!options.httpPublish) return cometError('forbidden', 'Publishing over HTTP is disabled on this server.');
  if (request.method !== 'POST') return cometError('method_not_allowed', 'Use POST to publish.', { allow: ['POST', 'OPTIONS'] });
  const contentType = request.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return cometError('unsupported_media_type', 'Publish with Content-Type: application/json.');
  }
  if (!options.hostAllowed(request.header('host'))) {
    return cometError('csrf', 'Publishing is not allowed for this host name.');
  }
  const origin = request.header('origin');
  if (origin !== undefined && !sameHost(origin, request.header('host')) && !options.corsAllows(origin)) {
    return cometError('csrf', 'Cross-origin publishing is not allowed.');
  }
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

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
