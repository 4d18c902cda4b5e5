/** What `@koa/router` leaves on the context for the layer that is running. */
interface RouterContext {
  routerPath?: string;
  captures?: readonly (string | undefined)[];
  path: string;
}

// A path-to-regexp 8 parameter (`:id`, `:"quoted"`), and where a pattern stops being a fixed prefix.
const PARAM = /:(?:[$_\p{ID_Start}][$_\p{ID_Continue}]*|"[^"]*")/uy;
const OPEN_END = /[*{(]/;

/**
 * The part of `ctx.path` that a `@koa/router` route or prefix matched, e.g. `/t/acme` for the pattern
 * `/t/:tenant{/*rest}`: the pattern up to its first wildcard or optional group, with each parameter
 * replaced by the raw value the router captured. `''` when no router ran, or the pattern is not a
 * plain prefix of the path (a RegExp route): then the path is taken as it is.
 */
export function routerMount(ctx: RouterContext): string {
  const pattern = ctx.routerPath;
  if (typeof pattern !== 'string' || pattern === '') return '';
  const captures = ctx.captures ?? [];
  let mount = '';
  let capture = 0;
  for (let at = 0; at < pattern.length; ) {
    PARAM.lastIndex = at;
    const param = PARAM.exec(pattern);
    if (param) {
      const value = captures[capture++];
      if (value === undefined) return '';
      mount += value;
      at += param[0].length;
    } else if (OPEN_END.test(pattern[at]!)) {
      break;
    } else {
      // `\` escapes the next character in a path-to-regexp pattern.
      const char = pattern[at] === '\\' ? (pattern[at + 1] ?? '') : pattern[at]!;
      mount += char;
      at += pattern[at] === '\\' ? 2 : 1;
    }
  }
  mount = mount.replace(/\/+$/, '');
  return mount === '' || ctx.path === mount || ctx.path.startsWith(mount + '/') ? mount : '';
}
