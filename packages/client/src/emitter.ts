/** A minimal typed event emitter. A listener that throws does not stop the others (its error is rethrown later). */
export interface Emitter<E> {
  on<K extends keyof E>(name: K, listener: (value: E[K]) => void): () => void;
  emit<K extends keyof E>(name: K, value: E[K]): void;
}

/** Builds an {@link Emitter}. */
export function createEmitter<E>(): Emitter<E> {
  const listeners = new Map<keyof E, Set<(value: never) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit(name, value) {
      for (const listener of [...(listeners.get(name) ?? [])]) safely(listener as (v: typeof value) => void, value);
    },
  };
}

/** Calls app code; an exception is rethrown on its own turn, so it is reported but cannot break the client. */
export function safely<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  try {
    fn(...args);
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}
