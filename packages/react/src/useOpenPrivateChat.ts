import type { Channel } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { type ActionState, useAction } from './useAction.js';

/**
 * Opening a PM with a user: `run(userId)` resolves with the existing channel, or with a draft (negative id,
 * `draft: true`) whose first message, sent with `useSendMessage`, creates it.
 *
 * @example
 * ```tsx
 * const open = useOpenPrivateChat();
 * <button disabled={open.pending} onClick={async () => select((await open.run(userId)).id)}>Message</button>
 * ```
 */
export function useOpenPrivateChat(): ActionState<[userId: number], Channel> {
  const client = useChatClient();
  return useAction((userId: number) => client.openPrivateChat(userId));
}
