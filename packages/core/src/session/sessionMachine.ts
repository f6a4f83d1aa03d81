// The session: one XState machine whose state is the connection status users see. It resolves who the user is
// and where the socket is, opens the socket, waits for `connection.ready`, starts chat delivery, keeps public
// channels acked, and reconnects with jittered backoff. Auth failures get one token refresh, then stop.
import { assign, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import { asChatError, ChatError, type ChatErrorKind, isChatError } from '../errors.js';
import type { Clock, User } from '../types.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import {
  type KeepaliveCommand,
  type KeepaliveEvent,
  type KeepaliveInput,
  runKeepalive,
} from './keepaliveActor.js';
import { runSocket, type SocketCommand, type SocketEvent, type SocketInput } from './socketActor.js';

/** What `resolveSession` finds out before each connection attempt. */
export interface ResolvedSession {
  user: User;
  /** `lazer` for a `*` token, `thirdParty` otherwise. */
  mode: 'lazer' | 'thirdParty';
  socketUrl: string;
  token: string;
}

/** Input of `resolveSession`: `refresh` asks the token provider for a new token instead of the cached one. */
export interface ResolveInput {
  refresh: boolean;
}

/** Input of the machine's `socket` actor; the rest of `SocketInput` comes from `createSessionMachine`. */
export interface SocketTarget {
  url: string;
  token: string;
}

/** Tuning; everything has a default (pass `{ input: {} }` to `createActor` for all defaults). */
export interface SessionInput {
  /** Source of `nextRetryAt`; `Date.now` by default. */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Jitter source in [0, 1]; `Math.random` by default. */
  random?: (() => number) | undefined;
  backoff?: Partial<BackoffOptions> | undefined;
  /** How long to wait for `connection.ready` after opening the socket; 15 s by default. */
  readyTimeoutMs?: number | undefined;
}

/**
 * Events the machine accepts. From the client: `session.connect` (from `idle`, `unauthorized`, `loggedOut`;
 * ignored while connecting, live or offline), `session.disconnect` (anywhere → `idle`), `network.offline` /
 * `network.online` (browser events), `page.visible` (retry at once during backoff; the client also sends
 * `keepalive.now`), `page.hidden` (accepted and ignored: the socket stays open), `keepalive.now` (after a
 * join). From the actors: `socket.*` and `token.rejected`.
 */
export type SessionEvent =
  | { type: 'session.connect' }
  | { type: 'session.disconnect' }
  | { type: 'network.offline' }
  | { type: 'network.online' }
  | { type: 'page.visible' }
  | { type: 'page.hidden' }
  | KeepaliveCommand
  | KeepaliveEvent
  | SocketEvent;

export interface SessionContext {
  /** Consecutive failed attempts since the last `connection.ready`. */
  attempt: number;
  /** Epoch ms of the next retry, while in `backoff`. */
  nextRetryAt: number | null;
  error: ChatError | null;
  user: User | null;
  mode: 'lazer' | 'thirdParty' | null;
  socketUrl: string | null;
  /**
   * Returns the socket token. A function rather than the string, so the token stays out of logs and serialised
   * snapshots: `JSON.stringify` leaves functions out, and `console.log` and devtools show only `[Function]`.
   */
  token: (() => string) | null;
  /** A token refresh was already spent since the last `connection.ready`: the next auth failure is final. */
  tokenRefreshed: boolean;
  /** The next `resolveSession` should ask for a new token. */
  refresh: boolean;
  settings: {
    clock: Pick<Clock, 'now'>;
    random: () => number;
    backoff: BackoffOptions;
    readyTimeoutMs: number;
  };
}

/** The body of each placeholder actor: running `sessionMachine` without providing its actors is a mistake. */
const notProvided = (name: string): never => {
  throw new ChatError(
    'invalid',
    `The session machine's ${name} actor was not provided (use createSessionMachine)`,
  );
};

/** What `connection.ready` clears: the failure count, the last error and the spent token refresh. */
const READY = { attempt: 0, error: null, tokenRefreshed: false } as const;

/** A fresh start (the initial context, and `reset`): `READY`, a cached token and no retry pending. */
const FRESH = { ...READY, refresh: false, nextRetryAt: null } as const;

/** From any state that is connecting or connected: drop the socket and wait for `network.online`. */
const goOffline = { target: '#session.offline' } as const;

/** From a terminal state (`unauthorized`, `loggedOut`), on an explicit `session.connect`: start over. */
const startOver = { target: 'resolving', actions: 'reset' } as const;

/** Params of the events that carry their own error: actor failures, `socket.closed`, `token.rejected`. */
const eventError = ({ event }: { event: { error: unknown } }) => event.error;

/** `recordError` with the event's own error. */
const recordEventError = { type: 'recordError', params: eventError } as const;

/** `recordError` with an error of the session's own (the event carries none). */
const recordNewError = (kind: ChatErrorKind, message: string) =>
  ({ type: 'recordError', params: () => new ChatError(kind, message) }) as const;

/**
 * The session statechart. Its actors are placeholders: run it through {@link createSessionMachine} (which
 * calls `sessionMachine.provide({ actors })` with the real socket and keepalive) or, in tests,
 * `sessionMachine.provide({ actors: { resolveSession, socket, keepalive } })` with fakes. The machine itself
 * is the chart to draw: `sessionMachine.root` holds every state node and its transitions (see `sessionChart`
 * in `status.ts` for a plain list).
 *
 * States: `idle` → `resolving` → `socket.awaitingReady` → `socket.live`; failures go to `backoff` (then back
 * to `resolving`), auth failures through the transient `authFailed` (one refresh, then `unauthorized`), a
 * server `logout` to `loggedOut`, `network.offline` to `offline`.
 *
 * @example
 * ```ts
 * const actor = createActor(createSessionMachine(deps), { input: { readyTimeoutMs: 10_000 } }).start();
 * actor.subscribe((snapshot) => render(toConnectionState(snapshot)));
 * actor.send({ type: 'session.connect' });
 * ```
 */
export const sessionMachine = setup({
  // One cast for all the types: at run time `types` is an empty object.
  types: {} as {
    context: SessionContext;
    events: SessionEvent;
    input: SessionInput;
    children: { resolveSession: 'resolveSession'; socket: 'socket'; keepalive: 'keepalive' };
  },
  actors: {
    resolveSession: fromPromise<ResolvedSession, ResolveInput>(async () => notProvided('resolveSession')),
    socket: fromCallback<SocketCommand, SocketTarget>(() => notProvided('socket')),
    keepalive: fromCallback<KeepaliveCommand>(() => notProvided('keepalive')),
  },
  actions: {
    // `user`, `mode` and `socketUrl` as they are; the token behind a function (see `SessionContext.token`).
    recordSession: assign((_, { token, ...session }: ResolvedSession) => ({
      ...session,
      token: () => token,
      refresh: false,
    })),
    recordError: assign((_, error: unknown) => ({
      error: asChatError(error, 'network', 'The session could not be resolved'),
    })),
    scheduleRetry: assign(({ context: { attempt, settings } }) => {
      const delay = backoffDelay(attempt + 1, settings.backoff, settings.random);
      return { attempt: attempt + 1, nextRetryAt: settings.clock.now() + delay };
    }),
    clearRetry: assign({ nextRetryAt: null }),
    // A failed attempt too: the status says `reconnecting` while the refreshed token is tried.
    markRefresh: assign(({ context }) => ({
      tokenRefreshed: true,
      refresh: true,
      attempt: context.attempt + 1,
    })),
    markReady: assign(READY),
    reset: assign(FRESH),
    startChat: sendTo('socket', { type: 'chat.start' }),
    endChat: sendTo('socket', { type: 'chat.end' }),
    forwardKeepalive: sendTo('keepalive', { type: 'keepalive.now' }),
  },
  guards: {
    canRefresh: ({ context }) => !context.tokenRefreshed,
    isAuthError: (_, error: unknown) => isChatError(error) && error.kind === 'auth',
  },
  delays: {
    backoff: ({ context }) => Math.max(0, (context.nextRetryAt ?? 0) - context.settings.clock.now()),
    readyTimeout: ({ context }) => context.settings.readyTimeoutMs,
  },
}).createMachine({
  id: 'session',
  initial: 'idle',
  context: ({ input }) => ({
    ...FRESH,
    user: null,
    mode: null,
    socketUrl: null,
    token: null,
    settings: {
      // `Date` has the one method a clock needs here: `Date.now()`.
      clock: input.clock ?? Date,
      random: input.random ?? Math.random,
      backoff: { ...DEFAULT_BACKOFF, ...input.backoff },
      readyTimeoutMs: input.readyTimeoutMs ?? 15_000,
    },
  }),
  on: {
    'session.disconnect': { target: '.idle', actions: 'reset' },
  },
  states: {
    idle: {
      on: { 'session.connect': 'resolving' },
    },
    resolving: {
      invoke: {
        id: 'resolveSession',
        src: 'resolveSession',
        input: ({ context }) => ({ refresh: context.refresh }),
        onDone: { target: 'socket', actions: { type: 'recordSession', params: ({ event }) => event.output } },
        onError: [
          {
            guard: { type: 'isAuthError', params: eventError },
            target: 'authFailed',
            actions: recordEventError,
          },
          { target: 'backoff', actions: recordEventError },
        ],
      },
      on: { 'network.offline': goOffline },
    },
    socket: {
      invoke: {
        id: 'socket',
        src: 'socket',
        input: ({ context }) => ({ url: context.socketUrl ?? '', token: context.token?.() ?? '' }),
      },
      initial: 'awaitingReady',
      on: {
        'socket.closed': { target: 'backoff', actions: recordEventError },
        'socket.authFailed': {
          target: 'authFailed',
          actions: recordNewError('auth', 'The socket refused the token'),
        },
        'token.rejected': { target: 'authFailed', actions: recordEventError },
        'socket.logout': {
          target: 'loggedOut',
          actions: recordNewError('auth', 'The server logged this session out'),
        },
        'network.offline': goOffline,
      },
      states: {
        awaitingReady: {
          after: {
            readyTimeout: {
              target: '#session.backoff',
              actions: {
                type: 'recordError',
                params: ({ context }: { context: SessionContext }) =>
                  new ChatError(
                    'network',
                    `The server did not send connection.ready within ${context.settings.readyTimeoutMs} ms`,
                  ),
              },
            },
          },
          on: { 'socket.ready': { target: 'live', actions: 'markReady' } },
        },
        live: {
          // chat.start only after connection.ready: the server ignores anything sent before it (§5.2).
          entry: 'startChat',
          // Runs before the socket actor is stopped, so a clean disconnect tells the server first.
          exit: 'endChat',
          invoke: { id: 'keepalive', src: 'keepalive' },
          on: { 'keepalive.now': { actions: 'forwardKeepalive' } },
        },
      },
    },
    backoff: {
      entry: 'scheduleRetry',
      exit: 'clearRetry',
      after: { backoff: 'resolving' },
      on: {
        'page.visible': 'resolving',
        'network.online': 'resolving',
        'network.offline': goOffline,
      },
    },
    // Transient: one token refresh per successful connection, then give up.
    authFailed: {
      always: [
        { guard: 'canRefresh', target: 'resolving', actions: 'markRefresh' },
        { target: 'unauthorized' },
      ],
    },
    offline: {
      on: { 'network.online': 'resolving' },
    },
    unauthorized: {
      on: { 'session.connect': startOver },
    },
    loggedOut: {
      on: { 'session.connect': startOver },
    },
  },
});

/** What the session needs from the outside world. */
export interface SessionDeps {
  /** Fetches `/me` and the socket endpoint, with a fresh token when `refresh` is set. */
  resolveSession(input: ResolveInput): Promise<ResolvedSession>;
  /** Socket settings: auth style (`header` in Node, `query` in browsers), ping timeout, frame handlers. */
  socket: Omit<SocketInput, 'url' | 'token'>;
  keepalive: KeepaliveInput;
}

/**
 * The session machine with real actors: `sessionMachine.provide({ actors })` binding `deps`. This is how the
 * client builds it; tests provide fakes the same way.
 *
 * @example
 * ```ts
 * const machine = createSessionMachine({
 *   resolveSession: async ({ refresh }) => ({ user, mode: 'thirdParty', socketUrl, token: await tokens.get(refresh) }),
 *   socket: { auth: 'header', pingTimeoutMs: 45_000, onFrame: (frame) => frames$.next(frame), onError: report },
 *   keepalive: { ack: () => http.request('POST', '/chat/ack'), needsKeepalive: inPublicChannel, onAckError: report },
 * });
 * const session = createActor(machine, { input: { clock, random } }).start();
 * ```
 */
export function createSessionMachine(deps: SessionDeps) {
  return sessionMachine.provide({
    actors: {
      resolveSession: fromPromise<ResolvedSession, ResolveInput>(({ input }) => deps.resolveSession(input)),
      socket: fromCallback<SocketCommand, SocketTarget>(({ input, sendBack, receive }) =>
        runSocket({ ...deps.socket, ...input }, sendBack, receive),
      ),
      keepalive: fromCallback<KeepaliveCommand>(({ sendBack, receive }) =>
        runKeepalive(deps.keepalive, sendBack, receive),
      ),
    },
  });
}
