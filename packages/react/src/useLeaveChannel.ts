import { useChatClient } from './ChatProvider.js';
import { type ActionState, useAction } from './useAction.js';

/**
 * Leaving a channel (PMs and announcements come back when a new message arrives).
 *
 * @example
 * ```tsx
 * const leave = useLeaveChannel();
 * <button onClick={() => leave.run(id)}>Leave</button>
 * ```
 */
export function useLeaveChannel(): ActionState<[channelId: number], void> {
  const client = useChatClient();
  return useAction((channelId: number) => client.leave(channelId));
}
