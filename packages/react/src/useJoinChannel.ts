import type { Channel } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { type ActionState, useAction } from './useAction.js';

/**
 * Joining a PUBLIC channel: `run(channelId)` resolves when the channel is in the list.
 *
 * @example
 * ```tsx
 * const join = useJoinChannel();
 * <button disabled={join.pending} onClick={() => join.run(id)}>Join</button>
 * ```
 */
export function useJoinChannel(): ActionState<[channelId: number], Channel> {
  const client = useChatClient();
  return useAction((channelId: number) => client.join(channelId));
}
