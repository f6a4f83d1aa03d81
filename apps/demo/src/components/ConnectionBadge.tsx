import { type ConnectionState, useConnection } from '@osu-chat/react';
import { useNow } from '../useNow.js';

const LABELS: Record<ConnectionState['status'], string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  unauthorized: 'Token rejected',
  loggedOut: 'Logged out',
};

/** The session machine's state as a badge, with the countdown to the next reconnect attempt. */
export function ConnectionBadge() {
  const { status, detail, nextRetryAt, attempt, error } = useConnection();
  const now = useNow(nextRetryAt !== null);
  const seconds = nextRetryAt === null ? null : Math.max(0, Math.ceil((nextRetryAt - now) / 1000));
  return (
    <output className={`connection-badge status-${status}`} data-status={status} title={detail}>
      <span className="dot" aria-hidden="true" />
      <span className="connection-label">
        {seconds !== null ? `Reconnecting in ${seconds}s` : LABELS[status]}
        {attempt > 0 && status !== 'live' && <span className="muted"> · attempt {attempt}</span>}
      </span>
      <code className="connection-detail">{detail}</code>
      {error && status !== 'live' && <span className="connection-error">{error.message}</span>}
    </output>
  );
}
