import type { ConnectionState } from '@osu-chat/core';
import { useChatClient } from './ChatProvider.js';
import { SERVER_CONNECTION } from './serverSnapshots.js';
import { useReadable } from './useReadable.js';

/**
 * The session's connection state: `status` (`idle`, `connecting`, `live`, `reconnecting`, `offline`,
 * `unauthorized`, `loggedOut`), the machine's `detail`, the signed-in `user`, `nextRetryAt` and `error`.
 *
 * @example
 * ```tsx
 * const { status, nextRetryAt } = useConnection();
 * return <Badge status={status} retryAt={nextRetryAt} />;
 * ```
 */
export function useConnection(): ConnectionState {
  return useReadable(useChatClient().connection, { serverValue: SERVER_CONNECTION });
}
