import type { Failure } from './types';

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

/** `fetch` that turns an HTTP error into a {@link Failure} (thrown), and a network error into `{}`. */
export async function fetchOk(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store', ...init });
  } catch {
    throw { message: 'network error' } satisfies Failure;
  }
  if (!response.ok) throw httpFailure(response.status, await response.text().catch(() => ''), response.headers.get('retry-after'));
  return response;
}
