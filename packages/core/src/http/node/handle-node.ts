import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CometHandler, CometResponse } from '../../neutral';
import { NodeCometRequest, type NodeRequestInfo } from './node-request';
import { writeResponse } from './write-response';

/**
 * Serves one Node request with a neutral handler: builds the request, keeps the socket open as
 * long as the hub holds it, aborts the request's signal the moment the client goes away, and
 * writes the answer. Both adapters call this; they only translate their framework's request.
 * Rejects only on a bug (the adapter hands it to the framework's error handling), unless
 * `info.onError` is given: then the bug goes there.
 */
export function handleNode(
  handler: CometHandler,
  req: IncomingMessage,
  res: ServerResponse,
  info: NodeRequestInfo,
): Promise<void> {
  const request = new NodeCometRequest(req, info);
  // `on`, not `once`: 'close' comes once anyway, and `once` wraps every listener in two objects.
  res.on('close', () => {
    if (!res.writableFinished) request.signal.abort();
  });
  // Held requests are ended by the hub, not by an idle socket timer (set only when one is armed:
  // on a keep-alive socket it is off from the first request on).
  if (req.socket.timeout) req.socket.setTimeout(0);
  const { onError } = info;
  // With `onError`, a failure goes there and the promise never rejects: no `.catch` step per request.
  return answerOf(handler, request).then((response) => {
    try {
      info.beforeWrite?.();
      if (request.signal.aborted) return;
      // The rest of a refused upload is never read: Node closes the connection once the answer is sent,
      // instead of taking in (and throwing away) whatever the client still sends.
      if (request.bodyRefused) res.setHeader('connection', 'close');
      writeResponse(res, response, info.drainTimeoutMs);
    } catch (error) {
      if (!onError) throw error;
      onError(error);
    }
  }, onError);
}

/** The handler's answer; a handler that throws (a synchronous `authorize` hook's bug) rejects it. */
function answerOf(handler: CometHandler, request: NodeCometRequest): Promise<CometResponse> {
  try {
    return handler(request);
  } catch (error) {
    return Promise.reject(error);
  }
}
