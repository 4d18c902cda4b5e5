/**
 * Keeps one copy of a value that many sessions hold at once: idle sessions answered by the same
 * publish share one cursor, and clients of one app follow the same few channel lists. Bounded
 * (cleared when full) and best effort: a value it no longer knows is only stored twice.
 */
export class Interner<T> {
  private readonly known = new Map<string, T>();

  constructor(private readonly max = 1_024) {}

  /** The value kept for `key`, if any. */
  find(key: string): T | undefined {
    return this.known.get(key);
  }

  /** The value kept for `key`, else `value`, kept from now on (no closure to make at each call). */
  keep(key: string, value: T): T {
    const known = this.known.get(key);
    if (known !== undefined) return known;
    if (this.known.size >= this.max) this.known.clear();
    this.known.set(key, value);
    return value;
  }

  /** The value kept for `key`, else the one `make` makes, kept from now on. */
  get(key: string, make: () => T): T {
    let value = this.known.get(key);
    if (value === undefined) {
      if (this.known.size >= this.max) this.known.clear();
      value = make();
      this.known.set(key, value);
    }
    return value;
  }
}
