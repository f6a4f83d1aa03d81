// The last frames and HTTP calls of a client, for the inspector panel. Subscribed from startup so the panel
// shows history when it is opened; `client.events$` emits frame events only while someone listens.
import { type ChatClient, type Readable, redactUrl } from '@osu-chat/react';

export interface WireEntry {
  readonly id: number;
  readonly at: number;
  readonly kind: 'in' | 'out' | 'http';
  /** Frame event name, or `METHOD /path` (tokens masked). */
  readonly label: string;
  /** Size of a frame, or status and duration of a call. */
  readonly detail: string;
  readonly failed: boolean;
}

/** Keeps the newest `size` wire entries (newest first) in a Readable. */
export function createWireLog(
  client: ChatClient,
  size = 80,
): Readable<readonly WireEntry[]> & {
  stop(): void;
} {
  let entries: readonly WireEntry[] = [];
  let nextId = 1;
  const listeners = new Set<() => void>();
  const push = (entry: Omit<WireEntry, 'id'>) => {
    entries = [{ ...entry, id: nextId++ }, ...entries].slice(0, size);
    for (const listener of listeners) listener();
  };
  const subscription = client.events$.subscribe((event) => {
    if (event.type === 'frame') {
      push({
        at: event.at,
        kind: event.direction,
        label: event.event,
        detail: `${event.bytes} B`,
        failed: false,
      });
    } else if (event.type === 'http') {
      push({
        at: event.at,
        kind: 'http',
        // Paths never carry tokens, but mask `access_token=` anyway: this list may end up in a screenshot.
        label: `${event.method} ${redactUrl(event.path)}`,
        detail: `${event.status ?? 'network error'} · ${Math.round(event.durationMs)} ms`,
        failed: event.status === null || event.status >= 400,
      });
    }
  });
  return {
    getSnapshot: () => entries,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => subscription.unsubscribe(),
  };
}
