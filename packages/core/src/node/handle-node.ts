import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CometHandler } from '../neutral';
import { toCometRequest, type NodeRequestInfo } from './node-request';
import { writeResponse } from './write-response';

/**
 * Serves one Node request with a neutral handler: builds the request, keeps the socket open as
 * long as the hub holds it, aborts the request's signal the moment the client goes away, and
 * writes the answer. Both adapters call this; they only translate their framework's request.
 * Rejects only on a bug (the adapter hands it to the framework's error handling).
 */
export async function handleNode(
  handler: CometHandler,
  req: IncomingMessage,
  res: ServerResponse,
  info: NodeRequestInfo,
): Promise<void> {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  // Held requests are ended by the hub, not by an idle socket timer.
  req.socket.setTimeout(0);
  const response = await handler(toCometRequest(req, info, controller.signal));
  if (!controller.signal.aborted) writeResponse(res, response);
}
