import type { ChannelMessages } from '@osu-chat/core';
import { useCallback } from 'react';
import { useChatClient } from './ChatProvider.js';
import { serverMessagesFor } from './serverSnapshots.js';
import { useReadable } from './useReadable.js';

export interface UseMessagesResult extends ChannelMessages {
  /** Loads the page before the oldest loaded message. */
  loadOlder: () => Promise<void>;
}

/**
 * A channel's loaded messages (sent ones by id, then pending and failed ones), `hasMore`, `loadingOlder`,
 * `keepsOlder` and `continuity` (`live`, `recovering`, `gap`). The first observer loads the newest page; older
 * pages stay past the message cap while a component uses the channel. Re-renders once per batch of new
 * messages in this channel, never for other channels.
 *
 * @example
 * ```tsx
 * const { messages, hasMore, loadOlder } = useMessages(id);
 * return <MessageList messages={messages} onTop={hasMore ? loadOlder : undefined} />;
 * ```
 */
export function useMessages(channelId: number): UseMessagesResult {
  const client = useChatClient();
  const state = useReadable(client.messages(channelId), { serverValue: serverMessagesFor(channelId) });
  const loadOlder = useCallback(() => client.loadOlder(channelId), [client, channelId]);
  return { ...state, loadOlder };
}
