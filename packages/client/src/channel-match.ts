/** Canonical channel name: no leading slash (`/chat/room` and `chat/room` are one channel). */
export function canonical(name: string): string {
  return name.replace(/^\//, '');
}

/**
 * True when `channel` matches `pattern` (both canonical): `*` is exactly one segment, `**` as the
 * last segment one or more, anything else itself.
 */
export function matches(pattern: string, channel: string): boolean {
  const p = pattern.split('/');
  const c = channel.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '**' && i === p.length - 1) return c.length > i;
    if (i >= c.length || (p[i] !== '*' && p[i] !== c[i])) return false;
  }
  return p.length === c.length;
}
