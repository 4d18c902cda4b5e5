import { createHash } from 'node:crypto';

// CRC-32 (IEEE, as zlib, PNG and Ethernet compute it): stable across versions, platforms and
// languages, so any process, or a tool in another language, puts a channel in the same partition.
const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 of the UTF-8 bytes of `text`, as an unsigned integer. */
export function crc32(text: string): number {
  let crc = -1;
  for (const byte of Buffer.from(text, 'utf8')) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** The partition of a canonical channel name: CRC-32 of the name, modulo the partition count. */
export function partitionOf(channel: string, partitions: number): number {
  return crc32(channel) % partitions;
}

/**
 * The epoch of a partitioned log, from the epochs of its partitions and their count: it changes
 * when any partition's changes (that partition's history was lost) or the count does. 20
 * base-36 characters of a SHA-1 (inside the cursor grammar's 24).
 */
export function logEpoch(epochs: readonly string[]): string {
  const digest = createHash('sha1').update(`${epochs.length}:${epochs.join(',')}`).digest();
  return digest.readUIntBE(0, 6).toString(36).padStart(10, '0') + digest.readUIntBE(6, 6).toString(36).padStart(10, '0');
}
