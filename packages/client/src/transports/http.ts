import type { Failure, RequestOptions } from './types';

/** A failure from an HTTP error answer: its status, `Retry-After`, and error body when it has one. */
export function httpFailure(status: number, body: string, retryAfter: string | null): Failure {
  const failure: Failure = { status, message: `HTTP ${status}` };
  try {
    const { error } = JSON.parse(body) as { error: { code: string; message: string } };
    failure.code = error.code;
    failure.message = error.message;
  } catch {
    // Not our error body (a proxy's page): the status says enough.
  }
  const seconds = Number(retryAfter);
  if (retryAfter && seconds >= 0) failure.retryAfterMs = seconds * 1000;
  return failure;
}

/**
 * `fetch` with the request's headers (and cookies across origins when asked) that turns an HTTP
 * error into a {@link Failure} (thrown), and a network error into `{}`.
 */
export async function fetchOk(url: string, request: RequestOptions, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    // Object.assign, not a spread: the script build's target would add a helper for it.
    const options = { cache: 'no-store', headers: request.headers, credentials: request.credentials ? 'include' : 'same-origin' } as const;
    response = await fetch(url, Object.assign(options, init));
  } catch {
    throw { message: 'network error' } satisfies Failure;
  }
  if (!response.ok) throw httpFailure(response.status, await response.text().catch(() => ''), response.headers.get('retry-after'));
  return response;
}
