import type { Transport } from '../transport';
import { longPoll } from './long-poll';

/** Every transport a hub serves under its mount, by route name. */
export const builtinTransports: readonly Transport[] = [longPoll];
