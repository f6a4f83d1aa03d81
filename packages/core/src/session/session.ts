// Runs the session machine for the client: builds its real actors (resolve, socket, keepalive), wires browser
// network/visibility events, and exposes the state as a Readable<ConnectionState>.
import { createActor } from 'xstate';
import { isNode } from '#platform';
import { ChatError } from '../errors.js';
import { selectReadable } from '../readable.js';
import type { TokenManager } from '../token.js';
import { tokenScopes } from '../token.js';
import type { ServerFrame } from '../transport/frames.js';
import type { ChatHttp } from '../transport/http.js';
import { decodeUser, isObject } from '../transport/wire.js';
import type { Clock, ConnectionState, Readable, User } from '../types.js';
import { createSessionMachine, type ResolvedSession } from './sessionMachine.js';
import type { WebSocketConstructor } from './socketActor.js';
import { connectionStateEqual, type SessionSnapshot, toConnectionState } from './status.js';

export interface SessionOptions {
  options: {
    apiUrl: string;
    socketUrl?: string | undefined;
    WebSocket?: unknown;
    socketAuth?: 'header' | 'query' | undefined;
    mode?: 'lazer' | 'thirdParty' | undefined;
    backoff?: { initialMs?: number; factor?: number; maxMs?: number; jitter?: number } | undefined;
  };
  clock: Clock;
  random: () => number;
  tokens: TokenManager;
  http: ChatHttp;
  onUser(user: User): void;
  onFrame(frame: ServerFrame, raw: string): void;
  onSent(raw: string): void;
  onError(error: ChatError): void;
  ack(): Promise<void>;
  needsKeepalive(): boolean;
  /** Entered `live` (after every connect and reconnect). */
  onLive(): void;
  /** Left `live` (delivery is at risk until the next `onLive`). */
  onDown(): void;
}

export type SessionCommand =
  | { type: 'connect' }
  | { type: 'disconnect' }
  | { type: 'keepalive.now' }
  | { type: 'network.offline' }
  | { type: 'network.online' }
  | { type: 'page.visible' };

export interface SessionHandle {
  readonly connection: Readable<ConnectionState>;
  /** The raw machine snapshot, for devtools. */
  readonly machine: Readable<SessionSnapshot>;
  send(command: SessionCommand): void;
  stop(): void;
}

export function startSession(deps: SessionOptions): SessionHandle {
  const { options } = deps;
  const machine = createSessionMachine({
    // Each attempt asks the token provider anyway, so the machine's `refresh` flag changes nothing here.
    resolveSession: () => resolveSession(deps),
    socket: {
      auth: options.socketAuth ?? (isNode ? 'header' : 'query'),
      WebSocket: options.WebSocket as WebSocketConstructor | undefined,
      pingTimeoutMs: isNode ? 45_000 : 0,
      onFrame: deps.onFrame,
      onError: deps.onError,
      onSent: deps.onSent,
    },
    keepalive: {
      ack: deps.ack,
      needsKeepalive: deps.needsKeepalive,
      onAckError: deps.onError,
      random: deps.random,
      clock: deps.clock,
    },
  });
  const actor = createActor(machine, {
    input: { clock: deps.clock, random: deps.random, backoff: options.backoff },
    // Bound: a class-based Clock (e.g. a test's manual clock) needs its `this`.
    clock: {
      setTimeout: (callback: () => void, ms: number) => deps.clock.setTimeout(callback, ms),
      clearTimeout: (handle: unknown) => deps.clock.clearTimeout(handle),
    } as never,
  });
  const snapshots: Readable<SessionSnapshot> = {
    getSnapshot: () => actor.getSnapshot(),
    subscribe: (listener) => {
      const subscription = actor.subscribe(listener);
      return () => subscription.unsubscribe();
    },
  };
  const connection = selectReadable(snapshots, toConnectionState, connectionStateEqual);

  let wasLive = false;
  actor.subscribe((snapshot) => {
    const live = snapshot.matches({ socket: 'live' });
    if (live !== wasLive) {
      if (live) deps.onLive();
      else deps.onDown();
    }
    wasLive = live;
  });
  actor.start();
  const unwatch = watchEnvironment((type) => actor.send({ type }));

  return {
    connection,
    machine: snapshots,
    send(command) {
      const { type } = command;
      // The client's `connect` and `disconnect` are the machine's `session.connect` and `session.disconnect`.
      actor.send(
        type === 'connect' || type === 'disconnect' ? { type: `session.${type}` as const } : command,
      );
    },
    stop() {
      unwatch();
      actor.send({ type: 'session.disconnect' });
      actor.stop();
    },
  };
}

/**
 * Before each attempt: a token (the provider is asked every time; a fixed token is simply used again), the user,
 * the mode and the socket URL.
 */
async function resolveSession(deps: SessionOptions): Promise<ResolvedSession> {
  const { options, http, tokens } = deps;
  const token = await tokens.refresh();
  // No refresh inside the request: a refused token goes back to the machine, which allows one refresh.
  const user = decodeUser(await http.request<unknown>('GET', '/me', { refreshOnAuth: false }));
  deps.onUser(user);
  const scopes = tokenScopes(token);
  const mode = options.mode ?? (scopes?.includes('*') ? 'lazer' : 'thirdParty');
  let socketUrl = options.socketUrl;
  if (!socketUrl && mode === 'lazer') {
    const json = await http.request<unknown>('GET', '/notifications');
    if (isObject(json) && typeof json.notification_endpoint === 'string')
      socketUrl = json.notification_endpoint;
  }
  if (!socketUrl && /^https:\/\/(osu|lazer)\.ppy\.sh$/.test(options.apiUrl))
    socketUrl = 'wss://notify.ppy.sh';
  if (!socketUrl) {
    throw new ChatError(
      'invalid',
      'No socket URL: pass `socketUrl` (a third-party token cannot ask osu! for it; GET /notifications needs `*`)',
    );
  }
  return { user, mode, socketUrl, token };
}

/** Browser online/offline and page visibility, where they exist. Returns the cleanup. */
function watchEnvironment(
  send: (type: 'network.offline' | 'network.online' | 'page.visible') => void,
): () => void {
  interface EventTargetLike {
    addEventListener?: (type: string, listener: () => void) => void;
    removeEventListener?: (type: string, listener: () => void) => void;
  }
  const window = globalThis as EventTargetLike & {
    document?: EventTargetLike & { visibilityState?: string };
  };
  if (typeof window.addEventListener !== 'function' || isNode) return () => {};
  const { document } = window;
  const listeners: [EventTargetLike | undefined, string, () => void][] = [
    [window, 'offline', () => send('network.offline')],
    [window, 'online', () => send('network.online')],
    [
      document,
      'visibilitychange',
      () => {
        if (document?.visibilityState === 'visible') send('page.visible');
      },
    ],
  ];
  for (const [target, type, listener] of listeners) target?.addEventListener?.(type, listener);
  return () => {
    for (const [target, type, listener] of listeners) target?.removeEventListener?.(type, listener);
  };
}
