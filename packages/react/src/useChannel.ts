import type { Channel } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { useReadable } from './useReadable.js';

/**
 * One channel, or undefined while unknown. Observing it makes the client fetch its details (PM users
 * included) when they are missing. A message in another channel does not re-render this component.
 *
 * @example
 * ```tsx
 * const channel = useChannel(id);
 * return <h2>{channel?.name ?? '…'}</h2>;
 * ```
 */
export function useChannel(channelId: number): Channel | undefined {
  return useReadable(useChatClient().channel(channelId), { serverValue: undefined });
}
