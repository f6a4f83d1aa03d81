import type { DirectoryState } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { SERVER_DIRECTORY } from './serverSnapshots.js';
import { useReadable } from './useReadable.js';

/**
 * The directory of PUBLIC channels to join from (`GET /chat/channels`): `channels` (null until the first
 * answer), `loading`, `error`, and `refresh()`. The client loads it when it is first observed; the hook only
 * reads it, so StrictMode's double effects cause no second request.
 *
 * @example
 * ```tsx
 * const { channels, loading, refresh } = usePublicChannels();
 * const join = useJoinChannel();
 * if (!channels) return <Spinner active={loading} />;
 * return channels.map((c) => <button key={c.id} onClick={() => join.run(c.id)}>{c.name}</button>);
 * ```
 */
export function usePublicChannels(): DirectoryState & { refresh: () => Promise<void> } {
  const client = useChatClient();
  const state = useReadable(client.directory, { serverValue: SERVER_DIRECTORY });
  return { ...state, refresh: client.refreshDirectory };
}
