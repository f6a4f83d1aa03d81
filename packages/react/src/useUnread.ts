import type { Unread, UnreadSummary } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { NO_UNREAD } from './serverSnapshots.js';
import { useReadable } from './useReadable.js';

/**
 * Unread state. With a channel id: that channel's `count` (exact when the loaded messages reach the read
 * marker, else null), `hasUnread` and `mentions`. Without: a summary over every channel.
 *
 * @example
 * ```tsx
 * const unread = useUnread(id);
 * const { unreadChannels, mentions } = useUnread();
 * ```
 */
export function useUnread(channelId: number): Unread | undefined;
export function useUnread(): UnreadSummary;
export function useUnread(channelId?: number): Unread | UnreadSummary | undefined {
  const client = useChatClient();
  const readable = channelId === undefined ? client.unreadSummary : client.unread(channelId);
  return useReadable<Unread | UnreadSummary | undefined>(readable, {
    serverValue: channelId === undefined ? NO_UNREAD : undefined,
  });
}
