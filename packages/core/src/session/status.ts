// How the session machine looks from outside: its snapshot as a ConnectionState, and its chart as plain data.
// The machine's state is the only status; nothing here keeps flags of its own.
import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import { sameValues } from '../state/selectors.js';
import type { ConnectionState, ConnectionStatus } from '../types.js';
import { sessionMachine } from './sessionMachine.js';

export type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

/**
 * The user-facing connection state of a session snapshot. `connecting` is the first attempt, `reconnecting`
 * any later one (and the wait in `backoff`); `detail` is the full state value, e.g. `socket.awaitingReady`.
 *
 * @example
 * ```ts
 * const state = toConnectionState(sessionActor.getSnapshot());
 * if (state.status === 'reconnecting' && state.nextRetryAt) showRetryIn(state.nextRetryAt - Date.now());
 * ```
 */
export function toConnectionState(snapshot: SessionSnapshot): ConnectionState {
  const { value, context } = snapshot;
  return {
    status: statusOf(value, context.attempt),
    // `socket` is the machine's only parent state: `{ socket: 'live' }` → `socket.live`.
    detail: typeof value === 'string' ? value : `socket.${value.socket}`,
    user: context.user,
    mode: context.mode,
    attempt: context.attempt,
    nextRetryAt: value === 'backoff' ? context.nextRetryAt : null,
    error: context.error,
  };
}

/** Field-by-field equality, for `selectReadable` and `distinctUntilChanged` over connection states. */
export function connectionStateEqual(a: ConnectionState, b: ConnectionState): boolean {
  return sameValues(a, b);
}

/** The status of a state value; `attempt` tells a first connection from a reconnection. */
function statusOf(value: SessionSnapshot['value'], attempt: number): ConnectionStatus {
  const connecting = attempt > 0 ? 'reconnecting' : 'connecting';
  if (typeof value === 'object') return value.socket === 'live' ? 'live' : connecting;
  if (value === 'backoff') return 'reconnecting';
  // `resolving` and `authFailed` are steps of connecting; `idle`, `offline`, `unauthorized` and `loggedOut` are
  // statuses of the same name.
  return value === 'resolving' || value === 'authFailed' ? connecting : value;
}

/** The session chart as data: what a demo or devtools panel needs to draw it. */
export interface SessionChart {
  /** Every state by dotted path (`socket.live`); `transient` states are passed through, never rested in. */
  states: { path: string; parent: string | null; initial: string | null; transient: boolean }[];
  /** `event` is the event type, `after <delay>` for a timer, `done <actor>`/`error <actor>`, or `always`. */
  transitions: { from: string; event: string; to: string | null; guard: string | null }[];
}

/**
 * Lists the states and transitions of `machine` (the session machine by default). The machine itself is the
 * definition; this is a plain, serialisable view of it.
 *
 * @example
 * ```ts
 * for (const t of sessionChart().transitions) console.log(`${t.from} --${t.event}--> ${t.to ?? '(stay)'}`);
 * ```
 */
export function sessionChart(machine: AnyStateMachine = sessionMachine): SessionChart {
  const chart: SessionChart = { states: [], transitions: [] };
  type Node = (typeof machine)['root'];
  const visit = (node: Node) => {
    const path = node.path.join('.');
    if (path !== '') {
      chart.states.push({
        path,
        parent: node.path.length > 1 ? node.path.slice(0, -1).join('.') : null,
        initial: node.initial?.target[0]?.key ?? null,
        transient: (node.always?.length ?? 0) > 0,
      });
    }
    const from = path === '' ? '*' : path;
    const edges = [...node.transitions.entries()].map(([event, list]) => [eventLabel(event), list] as const);
    if (node.always) edges.push(['always', node.always]);
    for (const [event, list] of edges) {
      for (const transition of list) {
        const to = transition.target?.map((target: Node) => target.path.join('.')).join(', ') || null;
        chart.transitions.push({ from, event, to, guard: guardLabel(transition.guard) });
      }
    }
    for (const child of Object.values(node.states) as Node[]) visit(child);
  };
  visit(machine.root);
  return chart;
}

function eventLabel(event: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  if (after) return `after ${after[1]}`;
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
  if (actor) return `${actor[1]} ${actor[2]}`;
  return event;
}

function guardLabel(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  return 'guard';
}
