/** Socket error codes that mean only that the peer went away (reset, closed mid-write, …). */
const GONE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/**
 * True when `error` is a socket's way of saying the client left. That is normal for held and
 * streamed responses, so it is neither logged nor answered.
 */
export function isClientGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && GONE_CODES.has(code);
}
