import type { Transport } from '../transport';
import { iframe } from './iframe';
import { jsonp } from './jsonp';
import { longPoll } from './long-poll';
import { sse } from './sse';
import { xhrStream } from './xhr-stream';

/** Every transport a hub serves under its mount, by route name. */
export const builtinTransports: readonly Transport[] = [longPoll, jsonp, sse, xhrStream, iframe];
