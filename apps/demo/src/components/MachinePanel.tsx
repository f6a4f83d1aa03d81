import { useConnection } from '@osu-chat/react';
import { useNow } from '../useNow.js';
import { Icon } from './Icon.js';
import { MachineChart, outgoingTransitions } from './MachineChart.js';
import { WireLog } from './WireLog.js';

/** The inspector: the session machine live, what can happen next, and the recent wire traffic. */
export function MachinePanel({ onClose }: { onClose: () => void }) {
  const { status, detail, attempt, mode, nextRetryAt, error } = useConnection();
  const now = useNow(nextRetryAt !== null);
  const next = outgoingTransitions(detail);
  return (
    <aside className="inspector" aria-label="Session inspector">
      <header className="inspector-header">
        <h2>Session machine</h2>
        <button type="button" className="icon-button" aria-label="Close inspector" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <MachineChart current={detail} />
      <dl className="machine-facts">
        <dt>state</dt>
        <dd>
          <code>{detail}</code> <span className={`tag status-${status}`}>{status}</span>
        </dd>
        <dt>mode</dt>
        <dd>{mode ?? '—'}</dd>
        <dt>attempt</dt>
        <dd>
          {attempt}
          {nextRetryAt !== null && ` · retry in ${Math.max(0, (nextRetryAt - now) / 1000).toFixed(1)} s`}
        </dd>
        {error && (
          <>
            <dt>error</dt>
            <dd className="error">
              {error.kind}: {error.message}
            </dd>
          </>
        )}
      </dl>
      <details className="machine-next">
        <summary>{next.length} transitions from here</summary>
        <ul>
          {next.map((t) => (
            <li key={`${t.from}|${t.event}|${t.to}|${t.guard}`}>
              <code>{t.event}</code> → {t.to ?? '(stays)'}
              {t.guard && <span className="muted"> if {t.guard}</span>}
            </li>
          ))}
        </ul>
      </details>
      <WireLog />
    </aside>
  );
}
