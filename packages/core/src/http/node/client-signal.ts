import type { AbortSignalLike } from '../../neutral';

/**
 * Tells the hub that a client went away. A few fields instead of an `AbortController`, whose
 * `EventTarget` costs about 1 KB per held request once listeners are added.
 */
export class ClientSignal implements AbortSignalLike {
  aborted = false;
  // Nearly always one listener (the request's subscriber): kept without an array.
  private first: (() => void) | undefined;
  private more: (() => void)[] | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.first) this.first = listener;
    else (this.more ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.first === listener) this.first = this.more?.shift();
    else if (this.more?.includes(listener)) this.more.splice(this.more.indexOf(listener), 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = [this.first, ...(this.more ?? [])];
    this.first = this.more = undefined;
    for (const listener of listeners) listener?.();
  }
}
