import { type ChatError, isChatError } from '@osu-chat/core';
import { useCallback, useEffect, useRef, useState } from 'react';

export interface ActionState<A extends unknown[], R> {
  /** Runs the action; rejects with its ChatError as well as recording it in `error`. */
  run: (...args: A) => Promise<R>;
  /** True while a run is in flight. */
  pending: boolean;
  /** The last run's error, cleared by the next run. */
  error: ChatError | null;
}

/**
 * Wraps a client action with pending/error state for a button or form (UI state, not chat state). The
 * action hooks (`useJoinChannel`, `useLeaveChannel`, `useOpenPrivateChat`) are built on it.
 *
 * @example
 * ```tsx
 * const client = useChatClient();
 * const markRead = useAction(async (id: number) => client.markAsRead(id));
 * <button disabled={markRead.pending} onClick={() => markRead.run(channelId)}>Mark read</button>
 * ```
 */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): ActionState<A, R> {
  const [pending, setPending] = useState(0);
  const [error, setError] = useState<ChatError | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const latest = useRef(action);
  latest.current = action;
  const run = useCallback(async (...args: A) => {
    setPending((n) => n + 1);
    setError(null);
    try {
      return await latest.current(...args);
    } catch (caught) {
      if (mounted.current && isChatError(caught)) setError(caught);
      throw caught;
    } finally {
      if (mounted.current) setPending((n) => n - 1);
    }
  }, []);
  return { run, pending: pending > 0, error };
}
