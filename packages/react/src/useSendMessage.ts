import type { Message } from '@osu-chat/core';
import { useCallback, useMemo } from 'react';
import { useChatClient } from './ChatProvider.js';
import { NO_MESSAGES } from './serverSnapshots.js';
import { sameItems, useReadable } from './useReadable.js';

export interface UseSendMessageResult {
  /** Sends `text` (`{ action: true }` for `/me`); resolves with the sent message, rejects with a ChatError. */
  send: (text: string, options?: { action?: boolean }) => Promise<Message>;
  /** This channel's messages still on their way. */
  pending: readonly Message[];
  /** This channel's messages that failed; each has `error`. */
  failed: readonly Message[];
  /** Sends a failed message again (by its `localId`); it shows as pending under the same `key`. */
  retry: (localId: string) => Promise<Message>;
  /** Drops a failed message from the list. */
  discard: (localId: string) => void;
}

/**
 * Sending to one channel (or to a draft PM, which the first message creates), with its pending and failed
 * messages. A message shows in `useMessages` at once as pending and keeps its `key` once sent.
 *
 * @example
 * ```tsx
 * const { send, failed, retry, discard } = useSendMessage(id);
 * <form onSubmit={(e) => { e.preventDefault(); send(text).catch(showError); }}>…</form>
 * {failed.map((m) => <Failed key={m.key} onRetry={() => retry(m.localId!)} onDiscard={() => discard(m.localId!)} />)}
 * ```
 */
export function useSendMessage(channelId: number): UseSendMessageResult {
  const client = useChatClient();
  const unsent = useReadable(client.messages(channelId), {
    select: (state) => state.messages.filter((m) => m.status !== 'sent'),
    isEqual: sameItems,
    serverValue: NO_MESSAGES,
  });
  const send = useCallback(
    (text: string, options?: { action?: boolean }) => client.send(channelId, text, options),
    [client, channelId],
  );
  const retry = useCallback((localId: string) => client.retry(localId), [client]);
  const discard = useCallback((localId: string) => client.discard(localId), [client]);
  const pending = useMemo(() => unsent.filter((m) => m.status === 'pending'), [unsent]);
  const failed = useMemo(() => unsent.filter((m) => m.status === 'failed'), [unsent]);
  return { send, pending, failed, retry, discard };
}
