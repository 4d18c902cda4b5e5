import { randomBytes } from 'node:crypto';

/**
 * A new clientId: 20 bytes (160 bits) from node:crypto, in hex (40 characters, alphanumeric as
 * Bayeux's grammar wants). Never derived from anything guessable, never reused.
 */
export function newClientId(): string {
  return randomBytes(20).toString('hex');
}
