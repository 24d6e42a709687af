// One 'abort' listener per AbortSignal, however many queued requests wait on it. A
// runner connection's signal covers all its waiting runs and tasks; a listener each
// would pass Node's limit of 10 per signal and print a leak warning.
const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` when `signal` aborts; returns the function that stops that. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let set = callbacks.get(signal);
  if (!set) {
    const created = new Set<() => void>();
    callbacks.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        callbacks.delete(signal);
        for (const cb of created) cb();
      },
      { once: true },
    );
    set = created;
  }
  const mine = set;
  mine.add(callback);
  return () => mine.delete(callback);
}
