/**
 * True when an `If-None-Match` header names `etag` (weakly, as RFC 9110 compares for GET) or is
 * `*`. Linear in the header's length: the header is the client's, and a regex split such as
 * `/\s*,\s*\/` backtracks quadratically on a long run of spaces.
 */
export function etagMatches(header: string, etag: string): boolean {
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}
