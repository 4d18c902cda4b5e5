import type { TransportName } from '../types';
import { iframe } from './iframe';
import { jsonp } from './jsonp';
import { poll } from './poll';
import { sse } from './sse';
import { stream } from './stream';
import type { Transport } from './types';

/** Every transport, by name. */
export const transports: Readonly<Record<TransportName, Transport>> = { sse, stream, iframe, poll, jsonp };

/** The default order: streams first (SSE, then XHR streaming, then the iframe), then the polls. */
export const DEFAULT_ORDER: readonly TransportName[] = ['sse', 'stream', 'iframe', 'poll', 'jsonp'];
