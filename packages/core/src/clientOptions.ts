// The client's options and the defaults it falls back to.
import type { ChatError } from './errors.js';
import type { TokenSource } from './token.js';
import type { Channel, Clock } from './types.js';

/** The PUBLIC channel directory, as `client.directory` holds it. */
export interface DirectoryState {
  /** null until the first answer. */
  readonly channels: readonly Channel[] | null;
  readonly loading: boolean;
  readonly error: ChatError | null;
}

/** Options of {@link createChatClient}. */
export interface ChatClientOptions {
  /** Origin of the osu! API, e.g. `https://osu.ppy.sh`; requests go to `${apiUrl}/api/v2/…`. */
  apiUrl: string;
  /** The notification websocket URL; else taken from `GET /api/v2/notifications` (needs a `*` token). */
  socketUrl?: string;
  /** A token, or a function called on every (re)connect and after a 401 that returns a fresh one. */
  token: TokenSource;
  /** WebSocket constructor; `isomorphic-ws` (ws in Node, the global in browsers) by default. */
  WebSocket?: unknown;
  /** fetch implementation; the global by default. */
  fetch?: typeof globalThis.fetch;
  /** Time source for every timer the engine sets; real time by default. */
  clock?: Clock;
  /** Random source for jitter, `Math.random` by default. */
  random?: () => number;
  /**
   * Sent messages kept per channel; older ones are evicted (and can be loaded again). Older pages loaded while
   * the channel's messages are observed stay until the last observer leaves (`keepsOlder`). Default 500.
   */
  messageCap?: number;
  /** HTTP timeout in ms. Default 15 000. */
  requestTimeoutMs?: number;
  /**
   * `lazer` (a `*` token: the channel list comes from `GET /chat/updates`) or `thirdParty` (scoped token: the
   * list is built from joins and events). Read from the token's `scopes` claim by default.
   */
  mode?: 'lazer' | 'thirdParty';
  /** How the socket carries the token: `header` (Node default) or `query` (`?access_token=`, browser default). */
  socketAuth?: 'header' | 'query';
  /** Most `since` pages one channel's backfill fetches before reporting `gap`. Default 20 (1,000 messages). */
  maxBackfillPages?: number;
  /** Reconnect backoff: first delay, factor, cap (ms) and jitter (fraction). Defaults 3000, 1.5, 120000, 0.25. */
  backoff?: { initialMs?: number; factor?: number; maxMs?: number; jitter?: number };
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
