import type { Readable } from '@osu-chat/core';
import { useCallback, useRef, useSyncExternalStore } from 'react';

export interface UseReadableOptions<T, S> {
  /** Picks what the component needs; the result is reused while the input is the same object. */
  select?: (value: T) => S;
  /** Also reuse the previous result when this says it is equal (default `Object.is`). */
  isEqual?: (a: S, b: S) => boolean;
  /**
   * What to render on the server and while hydrating (a stable "not connected" picture), so SSR output and the
   * first client render match. Without it, the client's current snapshot is used there too.
   */
  serverValue?: S;
}

/**
 * The one bridge from a core `Readable` to React: `useSyncExternalStore` with a memoised selector, so a
 * component re-renders only when what it selected changed.
 *
 * @example
 * ```ts
 * const name = useReadable(client.channel(id), { select: (c) => c?.name ?? '', serverValue: '' });
 * ```
 */
export function useReadable<T, S = T>(readable: Readable<T>, options: UseReadableOptions<T, S> = {}): S {
  const memo = useRef<{ input: T; select: unknown; output: S } | null>(null);
  // Options are usually inline: read the latest through a ref instead of resubscribing. The selector is part
  // of the memo key, so a selector that closes over changed props is applied again even if the input is not new.
  const latest = useRef(options);
  latest.current = options;

  const getSnapshot = useCallback((): S => {
    const input = readable.getSnapshot();
    const { select, isEqual = Object.is } = latest.current;
    const last = memo.current;
    if (last && Object.is(last.input, input) && last.select === select) return last.output;
    const output = select ? select(input) : (input as unknown as S);
    const kept = last && isEqual(last.output, output) ? last.output : output;
    memo.current = { input, select, output: kept };
    return kept;
  }, [readable]);

  const getServerSnapshot = useCallback(
    (): S => ('serverValue' in latest.current ? (latest.current.serverValue as S) : getSnapshot()),
    [getSnapshot],
  );
  const subscribe = useCallback((listener: () => void) => readable.subscribe(listener), [readable]);
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}

/** Shallow equality of two arrays by element identity. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => item === b[i]));
}
