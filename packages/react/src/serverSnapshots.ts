// What hooks render on the server and while hydrating: a stable "not connected" picture, the same objects on
// every render so React sees no change.
import type { Channel, ChannelMessages, ConnectionState, Message } from '@osu-chat/core';

export const SERVER_CONNECTION: ConnectionState = Object.freeze({
  status: 'idle',
  detail: 'idle',
  user: null,
  mode: null,
  attempt: 0,
  nextRetryAt: null,
  error: null,
});

export const NO_CHANNELS: readonly Channel[] = Object.freeze([]);
export const NO_MESSAGES: readonly Message[] = Object.freeze([]);

const serverMessages = new Map<number, ChannelMessages>();

/** An empty, frozen message list for a channel (one object per id). */
export function serverMessagesFor(channelId: number): ChannelMessages {
  let value = serverMessages.get(channelId);
  if (!value) {
    value = Object.freeze({
      channelId,
      messages: NO_MESSAGES,
      loaded: false,
      hasMore: true,
      loadingOlder: false,
      keepsOlder: false,
      continuity: 'live' as const,
    });
    serverMessages.set(channelId, value);
  }
  return value;
}

export const NO_UNREAD = Object.freeze({ unreadChannels: 0, mentions: 0 });

export const SERVER_DIRECTORY = Object.freeze({ channels: null, loading: false, error: null });
