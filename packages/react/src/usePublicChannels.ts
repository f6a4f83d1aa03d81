import type { DirectoryState } from '@osu-chat/core';
import { useEffect } from 'react';
import { useChatClient } from './ChatProvider.js';
import { SERVER_DIRECTORY } from './serverSnapshots.js';
import { useReadable } from './useReadable.js';

/**
 * The directory of PUBLIC channels to join from (`GET /chat/channels`), loaded when first used.
 *
 * @example
 * ```tsx
 * const { channels, loading, refresh } = usePublicChannels();
 * return channels?.map((c) => <button key={c.id} onClick={() => join(c.id)}>{c.name}</button>);
 * ```
 */
export function usePublicChannels(): DirectoryState & { refresh: () => Promise<void> } {
  const client = useChatClient();
  const state = useReadable(client.directory, { serverValue: SERVER_DIRECTORY });
  useEffect(() => {
    if (client.directory.getSnapshot().channels === null) void client.refreshDirectory();
  }, [client]);
  return { ...state, refresh: client.refreshDirectory };
}
