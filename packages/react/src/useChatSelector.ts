import type { Readable } from '@osu-chat/core';
import { useReadable } from './useReadable.js';

/**
 * Anything else: a selector over any core Readable. The component re-renders only when the selected value
 * changes (by `isEqual`, `Object.is` by default).
 *
 * @example
 * ```tsx
 * const client = useChatClient();
 * const lastMessage = useChatSelector(client.messages(id), (s) => s.messages.at(-1));
 * ```
 */
export function useChatSelector<T, S>(
  readable: Readable<T>,
  selector: (value: T) => S,
  isEqual?: (a: S, b: S) => boolean,
): S {
  return useReadable(readable, isEqual ? { select: selector, isEqual } : { select: selector });
}
