/** Names of the page-global functions that JSONP scripts and iframe streams call. */

const prefix = 'cometkit_' + Math.random().toString(36).slice(2, 8);
let count = 0;

/** A fresh global function name, a plain JS identifier well under the server's 64-character limit. */
export function callbackName(): string {
  return `${prefix}_${++count}`;
}

/** The page's global object, where callbacks live. */
export const globals = globalThis as unknown as Record<string, unknown>;
