// Readable<T>: a synchronous snapshot plus change notification, the one shape every UI binding reads.
import { type BehaviorSubject, distinctUntilChanged, Observable } from 'rxjs';
import type { Readable } from './types.js';

export type { Readable } from './types.js';

/** A Readable over a BehaviorSubject: the snapshot is the subject's current value. */
export function readableFromSubject<T>(subject: BehaviorSubject<T>): Readable<T> {
  return {
    getSnapshot: () => subject.getValue(),
    subscribe(listener) {
      // BehaviorSubject replays its current value on subscribe; listeners only want changes.
      let first = true;
      const subscription = subject.subscribe(() => {
        if (first) first = false;
        else listener();
      });
      return () => subscription.unsubscribe();
    },
  };
}

/**
 * A Readable of `select(source)`: the snapshot is recomputed only when the source snapshot changed, and
 * listeners are called only when the selected value changed (by `isEqual`, `Object.is` by default).
 */
export function selectReadable<S, T>(
  source: Readable<S>,
  select: (state: S) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): Readable<T> {
  let lastSource: S | typeof UNSET = UNSET;
  let lastValue: T;
  const read = (): T => {
    const state = source.getSnapshot();
    if (state !== lastSource) {
      const next = select(state);
      if (lastSource === UNSET || !isEqual(lastValue, next)) lastValue = next;
      lastSource = state;
    }
    return lastValue;
  };
  return {
    getSnapshot: read,
    subscribe(listener) {
      let current = read();
      return source.subscribe(() => {
        const next = read();
        if (next !== current) {
          current = next;
          listener();
        }
      });
    },
  };
}

const UNSET: unique symbol = Symbol('unset');

/**
 * The Observable of a Readable: on subscribe it emits the current snapshot, then each changed one; it
 * subscribes to the Readable only while observed.
 */
export function observeReadable<T>(readable: Readable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.next(readable.getSnapshot());
    return readable.subscribe(() => subscriber.next(readable.getSnapshot()));
  }).pipe(distinctUntilChanged());
}

/**
 * `readable`, except that each subscription first calls `onSubscribe` (to load what the subscriber will want);
 * the function it may return is called when that subscription ends, like a React effect's cleanup.
 */
export function whileObserved<T>(
  readable: Readable<T>,
  // biome-ignore lint/suspicious/noConfusingVoidType: as in React's EffectCallback, the cleanup is optional.
  onSubscribe: () => void | (() => void),
): Readable<T> {
  return {
    getSnapshot: readable.getSnapshot,
    subscribe: (listener) => {
      const stop = onSubscribe();
      const unsubscribe = readable.subscribe(listener);
      return () => {
        stop?.();
        unsubscribe();
      };
    },
  };
}
