import type { Endpoint } from './endpoint';
import { fetchOk } from './transports/http';
import type { Failure } from './transports/types';
import type { ClientError } from './types';

/** `POST {url}/publish`: resolves with the message's cursor, rejects with an `Error` carrying `code` and `status`. */
export async function publishTo(server: Endpoint, channel: string, data: unknown): Promise<{ cursor: string }> {
  try {
    const request = server.request();
    request.headers['content-type'] = 'application/json';
    const response = await fetchOk(server.url('publish'), request, { method: 'POST', body: JSON.stringify({ channel, data }) });
    return (await response.json()) as { cursor: string };
  } catch (failure) {
    const { code = 'network', message = 'network error', status } = failure as Failure;
    throw Object.assign(new Error(message), { code, status } satisfies Partial<ClientError>);
  }
}
