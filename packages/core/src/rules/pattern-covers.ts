/**
 * Channel templates, and whether one covers a pattern. A template is a channel name whose segments
 * may be `:name` (exactly one segment, bound to `name`), `*` (exactly one segment) or, last, `**`
 * (one or more): `user/:id/**`, `chat/*`, `public/**`.
 */

/** What {@link coverage} found: the template covers the pattern, with these parameters bound. */
export interface Coverage {
  /** The values of the template's `:name` segments, where the pattern names one exact segment. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Template parameters that the pattern leaves open (a `*` or `**` where the template has
   * `:name`): a rule that depends on them cannot speak for every channel the pattern matches.
   */
  readonly open: readonly string[];
}

/**
 * Whether every channel `pattern` can match is matched by `template` (both as segments, canonical:
 * no leading slash), and the parameters bound on the way. Undefined when some channel of the
 * pattern lies outside the template: `chat/*` covers `chat/room` and `chat/*` but not `chat/**`;
 * `user/:id` covers `user/alice` (id = alice) and `user/*` (id open), never `*\/alice`.
 */
export function coverage(template: readonly string[], pattern: readonly string[]): Coverage | undefined {
  const params: Record<string, string> = {};
  const open: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const t = template[i];
    // A final `**` in the template takes whatever the pattern has left (at least this segment).
    if (t === '**') return { params, open };
    if (t === undefined) return undefined; // the pattern's channels are longer than the template's
    const p = pattern[i]!;
    if (p === '**') return undefined; // one or more segments here; only a template's `**` covers them
    if (t === '*') continue;
    if (t.startsWith(':')) {
      if (p === '*') open.push(t.slice(1));
      else params[t.slice(1)] = p;
      continue;
    }
    if (p !== t) return undefined; // a literal: the pattern's `*` reaches other values, a literal must be this one
  }
  // The pattern's channels have exactly pattern.length segments; so must the template's.
  return template.length === pattern.length ? { params, open } : undefined;
}

/**
 * True when every channel `pattern` can match is matched by `template` (names or patterns as text:
 * `patternCovers('user/:id/**', 'user/alice/*')` is true, `patternCovers('private/alice', '*\/alice')`
 * false). For hand-written `authorize` hooks: a deny list must ask whether a pattern could reach a
 * channel, not whether its text starts with something.
 */
export function patternCovers(template: string, pattern: string): boolean {
  return coverage(segmentsOf(template), segmentsOf(pattern)) !== undefined;
}

/** Canonical segments of a channel, pattern or template (a leading slash dropped). */
export function segmentsOf(text: string): string[] {
  return (text.startsWith('/') ? text.slice(1) : text).split('/');
}
