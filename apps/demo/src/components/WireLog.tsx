import { useReadable } from '@osu-chat/react';
import { useState } from 'react';
import { useDemo } from '../demoContext.js';
import type { WireEntry } from '../wireLog.js';

type Filter = 'all' | 'socket' | 'http';

const ARROWS: Record<WireEntry['kind'], string> = { in: '↓', out: '↑', http: '⇄' };
const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hour12: false,
});

/** Recent socket frames and HTTP calls (event names, paths and sizes only: never a token or a body). */
export function WireLog() {
  const entries = useReadable(useDemo().wireLog);
  const [filter, setFilter] = useState<Filter>('all');
  const shown = entries.filter(
    (e) => filter === 'all' || (filter === 'http' ? e.kind === 'http' : e.kind !== 'http'),
  );
  return (
    <section className="wire-log">
      <header>
        <h3>Wire</h3>
        <fieldset className="segmented" aria-label="Show">
          {(['all', 'socket', 'http'] as const).map((f) => (
            <button
              key={f}
              type="button"
              className="segment"
              aria-pressed={filter === f}
              onClick={() => setFilter(f)}
            >
              {f === 'http' ? 'HTTP' : f === 'socket' ? 'Socket' : 'All'}
            </button>
          ))}
        </fieldset>
      </header>
      <ol>
        {shown.map((entry) => (
          <li key={entry.id} className={`wire-${entry.kind}${entry.failed ? ' failed' : ''}`}>
            <time>{clock.format(entry.at)}</time>
            <span className="wire-arrow" aria-hidden="true">
              {ARROWS[entry.kind]}
            </span>
            <span className="wire-label">{entry.label}</span>
            <span className="wire-detail">{entry.detail}</span>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">Nothing yet.</li>}
      </ol>
    </section>
  );
}
