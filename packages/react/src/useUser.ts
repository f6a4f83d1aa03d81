import type { User } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { useReadable } from './useReadable.js';

/**
 * A user seen in chat (a sender or a PM member), or undefined.
 *
 * @example
 * ```tsx
 * const sender = useUser(message.senderId);
 * return <b style={{ color: sender?.profileColour ?? undefined }}>{sender?.username}</b>;
 * ```
 */
export function useUser(userId: number): User | undefined {
  return useReadable(useChatClient().user(userId), { serverValue: undefined });
}
