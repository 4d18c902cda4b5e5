import { cometError, type CometError } from '@cometkit/core';

/** What every call of the broker rejects with when Redis does not answer: the client retries. */
export const unavailable = (): CometError => cometError('unavailable', 'The message log (Redis) is unavailable; retry.');
