import type { RequestOptions } from './transports/types';
import type { ClientOptions } from './types';

/** Where and how the client's requests go: the mount URL (with its own query), extra query, headers, credentials. */
export interface Endpoint {
  /** The page's origin is not the server's. */
  readonly crossOrigin: boolean;
  /** The mount URL without query: what identifies the server. */
  readonly base: string;
  /** A route's URL: the mount, then `/route`, with the url's own query, then `options.query`'s, then `query`. */
  url(route: string, query?: string): string;
  /** Headers and credentials for one request (a `headers` function is asked again each time). */
  request(): RequestOptions;
}

const valueOf = <T>(option: T | (() => T) | undefined): T | undefined =>
  typeof option === 'function' ? (option as () => T)() : option;

/** The {@link Endpoint} of a client's options. */
export function endpoint(options: ClientOptions): Endpoint {
  const here = typeof location === 'object' ? location.href : undefined;
  const target = new URL(options.url, here);
  const base = (target.origin + target.pathname).replace(/\/+$/, '');
  return {
    crossOrigin: here !== undefined && target.origin !== new URL(here).origin,
    base,
    url(route, query) {
      // An empty part drops out (String(params) is '' when there are none); `…/publish?` is harmless.
      const parts = [target.search.slice(1), new URLSearchParams(valueOf(options.query)), query];
      return `${base}/${route}?${parts.filter(String).join('&')}`;
    },
    request: () => ({ credentials: !!options.credentials, headers: Object.assign({}, valueOf(options.headers)) }),
  };
}
