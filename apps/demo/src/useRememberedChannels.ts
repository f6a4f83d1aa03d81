// A third-party token cannot list the channels a user is in (osu! gives `/chat/updates` to lazer's `*` token
// only), so the list starts empty on every load. Like any third-party client, the demo remembers the public
// channels it joined and joins them again once the session is live. Joining twice is harmless on osu!.
import { useChannels, useChatClient, useConnection } from '@osu-chat/react';
import { useEffect, useRef, useState } from 'react';

const PREFIX = 'osu-chat-demo.channels:';

function read(scope: string): number[] {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(PREFIX + scope) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id) && id > 0) : [];
  } catch {
    return [];
  }
}

/** Rejoins remembered public channels in third-party mode, and remembers the list as it changes. */
export function useRememberedChannels(scope: string): void {
  const client = useChatClient();
  const { status, mode } = useConnection();
  const channels = useChannels();
  const started = useRef(false);
  const [restored, setRestored] = useState(false);
  const enabled = mode === 'thirdParty';

  useEffect(() => {
    if (!enabled || status !== 'live' || started.current) return;
    started.current = true;
    const joined = new Set(client.channels.getSnapshot().map((c) => c.id));
    const missing = read(scope).filter((id) => !joined.has(id));
    void Promise.allSettled(missing.map((id) => client.join(id))).then(() => setRestored(true));
  }, [client, enabled, status, scope]);

  useEffect(() => {
    if (!enabled || !restored) return;
    const ids = channels.filter((c) => c.type === 'PUBLIC' && !c.draft).map((c) => c.id);
    localStorage.setItem(PREFIX + scope, JSON.stringify(ids));
  }, [channels, enabled, restored, scope]);
}
