import type { Channel } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { NO_CHANNELS } from './serverSnapshots.js';
import { useReadable } from './useReadable.js';

/**
 * The joined channels (and draft PMs) in osu-web's order: public channels by name, then announcements, groups
 * and teams, then PMs by last message (newest first, drafts on top). The array keeps its identity while no
 * channel in it changed, so this re-renders only when the list or one of its channels changes.
 *
 * @example
 * ```tsx
 * const channels = useChannels();
 * return <ul>{channels.map((c) => <li key={c.id}>{c.name}</li>)}</ul>;
 * ```
 */
export function useChannels(): readonly Channel[] {
  return useReadable(useChatClient().channels, { serverValue: NO_CHANNELS });
}
