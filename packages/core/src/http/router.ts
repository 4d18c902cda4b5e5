import { parseChannel, type ParsedChannel } from '../log/channel';
import { clientScript } from './client-script';
import { preflight, withCors } from './cors';
import type { Engine } from '../engine/engine';
import { cometError, isCometError, type CometError } from '../errors';
import { isStreamResponse, type CometHandler, type CometRequest, type CometResponse } from '../neutral';
import type { ResolvedOptions } from '../options';
import { handlePublish } from './publish-route';
import { screenRequest } from '../kit/screen';
import { parseChannelList, readChannels } from '../kit/push-request';
import { errorResponse } from '../responses';
import type { EndRules, Transport, TransportContext } from './transport';

/** Where a per-route endpoint takes its channels from. */
export type ChannelSource =
  /** A template filled from route parameters: `'orders/:id'` with `params.id = 42` → `orders/42`. */
  | string
  /** A function of the request (use `request.params`, or `request.raw` for the framework's own). */
  | ((request: CometRequest) => string | readonly string[]);

/** Options of a per-route endpoint ({@link Router.endpoint}). */
export interface EndpointOptions {
  /** Transport name (`poll`, …). Default `poll`. */
  transport?: string;
  /** The channel(s) this endpoint serves; the client cannot choose others. */
  channel: ChannelSource;
  /**
   * Let a function `channel` return patterns (`orders/*`). Off by default: a function usually
   * builds its channel from the URL, and a `*` or `**` there would widen the route to every channel
   * it matches (`/orders/*\/updates` for every order). A template's wildcards are its own and always allowed.
   */
  allowPatterns?: boolean;
}

/** The HTTP face of the built-in (and added) transports over one engine. */
export interface Router {
  /** Handles every route under a mount point (`{mount}/poll`, `{mount}/publish`, …). */
  readonly handle: CometHandler;
  /** True when `path` (below a mount) names one of the routes. */
  serves(path: string): boolean;
  /** A handler for one push route whose channels come from the route, not the client. */
  endpoint(options: EndpointOptions): CometHandler;
}

/** What {@link createRouter} routes to. */
export interface RouterOptions {
  readonly engine: Engine;
  readonly options: ResolvedOptions;
  /** The transports served, by route name (later ones replace earlier ones of the same name). */
  readonly transports: readonly Transport[];
  /** End rules by transport name, over each transport's own. */
  readonly endRules?: Readonly<Record<string, Partial<EndRules>>>;
  /** Whether CORS is configured at all (no extra promise per request when it is not). */
  readonly cors: boolean;
}

interface Route {
  readonly transport: Transport;
  readonly rules: EndRules;
}

/**
 * Routes neutral requests: preflight, `client.js`, `publish`, and each transport's route, where
 * the transport gets its context (query parsed once, channels checked, end rules resolved).
 * Answers refusing a request are counted; during shutdown every answer closes its connection.
 */
export function createRouter({ engine, options, transports, endRules = {}, cors }: RouterOptions): Router {
  const defaults: EndRules = {
    holdMs: options.longPollTimeoutMs,
    byteBudget: options.byteBudget,
    maxAgeMs: options.streamMaxAgeMs,
    heartbeatMs: options.heartbeatMs,
  };
  const routes = new Map<string, Route>();
  for (const transport of transports) {
    const own = typeof transport.endRules === 'function' ? transport.endRules(defaults) : transport.endRules;
    routes.set(transport.name, { transport, rules: { ...defaults, ...own, ...endRules[transport.name] } });
  }
  const names = new Set(['publish', 'client.js', ...routes.keys()]);

  /** Every push route, under the mount or on its own route: screened, then its transport opens it. */
  function open(route: Route, request: CometRequest, query: URLSearchParams, channels: TransportContext['channels']) {
    const screened = screenRequest(request, options, 'read');
    if (screened) return errorResponse(screened);
    return route.transport.open({ request, query, channels, rules: route.rules, engine, options });
  }

  function route(request: CometRequest): CometResponse | Promise<CometResponse> {
    if (request.method === 'OPTIONS') return preflight(request, options);
    const name = routeName(request.path);
    if (name === 'client.js') return clientScript(request);
    if (name === 'publish') return handlePublish(request, options, engine);
    const found = routes.get(name);
    if (!found) return errorResponse(notFound(name, request.path));
    const query = request.query;
    return open(found, request, query, readChannels(query, options.maxChannels));
  }

  /**
   * The answer, counted when it refuses the request, with CORS headers when configured; during
   * shutdown it closes its connection, so that `server.close()` need not wait for keep-alive.
   */
  function finish(answer: CometResponse, request: CometRequest): CometResponse {
    if (!isStreamResponse(answer)) {
      if (answer.error) engine.countError();
      if (engine.closing) answer = { ...answer, headers: { ...answer.headers, connection: 'close' } };
    }
    return cors ? withCors(answer, request, options) : answer;
  }

  function respond(response: CometResponse | Promise<CometResponse>, request: CometRequest): Promise<CometResponse> {
    return response instanceof Promise ? response.then((answer) => finish(answer, request)) : Promise.resolve(finish(response, request));
  }

  return {
    // A hook or transport that throws (an app's bug) rejects the answer: `handle` never throws.
    handle: (request) => {
      try {
        return respond(route(request), request);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    serves: (path) => names.has(routeName(path)),
    endpoint(endpointOptions) {
      const found = routes.get(endpointOptions.transport ?? 'poll');
      if (!found) throw new TypeError(`cometkit: unknown transport "${endpointOptions.transport}"`);
      return (request) => {
        if (request.method === 'OPTIONS') return respond(preflight(request, options), request);
        try {
          return respond(open(found, request, request.query, endpointChannels(endpointOptions, request, options)), request);
        } catch (error) {
          return Promise.reject(error);
        }
      };
    },
  };
}

/** The route name a path below the mount names: `/poll/` → `poll`. */
function routeName(path: string): string {
  // Nearly every request names its route plainly (`/poll`): no regex for those.
  if (path.length > 1 && path.charCodeAt(0) === 47 && path.indexOf('/', 1) < 0) return path.slice(1);
  return path.replace(/^\/+|\/+$/g, '');
}

function endpointChannels(
  { channel: source, allowPatterns = false }: EndpointOptions,
  request: CometRequest,
  options: ResolvedOptions,
): readonly ParsedChannel[] | CometError {
  if (typeof source === 'function') {
    const names = source(request);
    const parsed = parseChannelList(typeof names === 'string' ? [names] : names, options.maxChannels);
    if (isCometError(parsed) || allowPatterns) return parsed;
    const pattern = parsed.find((channel) => channel.isPattern);
    return pattern
      ? cometError('bad_channel', `"${pattern.name}" is a pattern; this route serves exact channels (its endpoint may set allowPatterns).`)
      : parsed;
  }
  // A route parameter fills exactly one segment: never a wildcard, never a `/`, so the client
  // cannot widen the channel the route stands for.
  let bad: CometError | undefined;
  const name = source.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, key: string) => {
    const value = request.params[key];
    const segment = value === undefined ? undefined : parseChannel(value, false);
    if (value === undefined) bad ??= cometError('bad_request', `The route has no parameter "${key}".`);
    else if (isCometError(segment)) bad ??= segment;
    else if (segment!.segments.length !== 1 || value.includes('/')) {
      bad ??= cometError('bad_channel', `The route parameter "${key}" must be a single channel segment.`);
    }
    return value ?? '';
  });
  if (bad) return bad;
  const parsed = parseChannel(name, /(^|\/)\*\*?(\/|$)/.test(source));
  return isCometError(parsed) ? parsed : [parsed];
}

/** The refusal of a path no route serves; the JSONP route says how to turn it on. */
function notFound(name: string, path: string): CometError {
  if (name === 'jsonp') return cometError('not_found', 'JSONP is off on this server; createComet({ jsonp: true }) serves it (to script tags of any site).');
  return cometError('not_found', `No Comet route at "${path}".`);
}
