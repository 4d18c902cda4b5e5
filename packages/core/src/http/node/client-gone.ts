/**
 * Socket error codes that mean only that the peer went away (reset, closed mid-write, …), and the
 * parser's for a request cut off mid-body (the client hung up before sending all it announced).
 */
const GONE_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'HPE_INVALID_EOF_STATE',
]);

/**
 * True when `error` is a socket's way of saying the client left. That is normal for held and
 * streamed responses, so it is neither logged nor answered.
 */
export function isClientGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && GONE_CODES.has(code);
}
