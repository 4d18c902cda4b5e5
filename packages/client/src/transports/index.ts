import type { TransportName } from '../types';
import { iframe } from './iframe';
import { jsonp } from './jsonp';
import { poll } from './poll';
import { sse } from './sse';
import { stream } from './stream';
import { ws } from './ws';
import type { Transport } from './types';

/** Every transport, by name. */
export const transports: Readonly<Record<TransportName, Transport>> = { ws, sse, stream, iframe, poll, jsonp };

/** The default order: WebSocket, then the HTTP streams (SSE, XHR streaming, the iframe), then the polls. */
export const DEFAULT_ORDER: readonly TransportName[] = ['ws', 'sse', 'stream', 'iframe', 'poll', 'jsonp'];
