import type { Channel } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { type ActionState, useAction } from './useAction.js';

/**
 * Opening a PM with a user: the existing channel, or a draft whose first message creates it.
 *
 * @example
 * ```tsx
 * const open = useOpenPrivateChat();
 * const channel = await open.run(userId);
 * select(channel.id);
 * ```
 */
export function useOpenPrivateChat(): ActionState<[userId: number], Channel> {
  const client = useChatClient();
  return useAction((userId: number) => client.openPrivateChat(userId));
}
