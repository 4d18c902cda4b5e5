/**
 * A promise the test resolves: code under test awaits `wait()`, the test learns that it got
 * there from `entered` and lets it go on with `open()`. Stands where a sleep would otherwise guess.
 */
export interface Gate {
  /** Resolves the first time code reaches {@link Gate.wait}. */
  readonly entered: Promise<void>;
  /** How many times code has reached {@link Gate.wait}. */
  readonly count: () => number;
  /** Called by the code under test: resolves once the test calls {@link Gate.open}. */
  wait(): Promise<void>;
  /** Lets every waiter (and every later one) through. */
  open(): void;
}

/** A closed gate. */
export function gate(): Gate {
  let release!: () => void;
  let signal!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  const entered = new Promise<void>((r) => (signal = r));
  let count = 0;
  return {
    entered,
    count: () => count,
    wait() {
      count++;
      signal();
      return opened;
    },
    open: () => release(),
  };
}
