import { useConnection } from '@osu-chat/react';

/** What the main area shows with no channel open. */
export function EmptyState({ onBrowse }: { onBrowse: () => void }) {
  const { status, mode } = useConnection();
  const waiting = status === 'connecting' || status === 'idle';
  return (
    <div className="empty-state">
      <span className="brand-logo big" aria-hidden="true" />
      <h2>{waiting ? 'Connecting to osu! chat…' : 'No channel open'}</h2>
      {!waiting && (
        <p>
          {mode === 'thirdParty'
            ? 'A third-party token cannot list the channels you are in, so join some: the demo remembers them.'
            : 'Join a public channel, or start a conversation from a name in chat.'}
        </p>
      )}
      {!waiting && (
        <button type="button" className="primary" onClick={onBrowse}>
          Browse channels
        </button>
      )}
    </div>
  );
}
