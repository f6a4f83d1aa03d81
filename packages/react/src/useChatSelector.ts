import type { Readable } from '@osu-chat/core';
import { useReadable } from './useReadable.js';

/** The third argument of {@link useChatSelector}: an equality function, or options. */
export type ChatSelectorOptions<S> =
  | ((a: S, b: S) => boolean)
  | {
      /** Reuse the previous result when this says it is equal (default `Object.is`). */
      isEqual?: (a: S, b: S) => boolean;
      /**
       * What the server and hydration render. Without it they select from the readable's current snapshot,
       * which matches when the browser creates a fresh client for hydration (the usual case); pass it when the
       * client may already hold data when `hydrateRoot` runs.
       */
      serverValue?: S;
    };

/**
 * Anything else: a selector over any core Readable (`client.messages(id)`, `client.channels`,
 * `client.connection`, …). The component re-renders only when the selected value changes (by `isEqual`,
 * `Object.is` by default). Selectors may be inline; one that closes over changed props is applied again.
 *
 * @example
 * ```tsx
 * const client = useChatClient();
 * const lastLine = useChatSelector(client.messages(id), (s) => s.messages.at(-1)?.content ?? '');
 * const names = useChatSelector(client.channels, (list) => list.map((c) => c.name), sameNames);
 * const online = useChatSelector(client.connection, (c) => c.status === 'live', { serverValue: false });
 * ```
 */
export function useChatSelector<T, S>(
  readable: Readable<T>,
  selector: (value: T) => S,
  options?: ChatSelectorOptions<S>,
): S {
  const { isEqual, ...rest } = typeof options === 'function' ? { isEqual: options } : (options ?? {});
  return useReadable(readable, { select: selector, ...rest, ...(isEqual ? { isEqual } : {}) });
}
