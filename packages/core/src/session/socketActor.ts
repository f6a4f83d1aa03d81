// The notification socket as an XState callback actor. Handshake frames go to the session machine as events;
// every other frame goes straight to `onFrame`, because chat traffic is the hot path and the machine does not
// need to see it.
import IsoWebSocket from 'isomorphic-ws';
import { fromCallback } from 'xstate';
import { watchPing } from '#platform';
import { ChatError, isChatError, redact, redactUrl } from '../errors.js';
import { parseFrame, type ServerFrame } from '../transport/frames.js';

/** The fields of socket events the actor reads (`message` data, `close` code, `error` message). */
export interface SocketEventLike {
  readonly type: string;
  readonly data?: unknown;
  readonly code?: number;
  readonly message?: unknown;
}

/** The part of a WebSocket the actor uses: the browser's, `ws`'s, or a test double. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: SocketEventLike) => void,
  ): void;
  /** `ws` only: the server's keepalive pings (browsers answer them invisibly). */
  on?(event: 'ping', listener: () => void): unknown;
  /** `ws` only: drops the connection without a closing handshake. */
  terminate?(): void;
}

/** A WebSocket constructor: the browser's, `ws`'s, or a test double. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `ws`'s constructor form that header auth needs (browsers cannot set socket headers). */
type HeaderWebSocketConstructor = new (
  url: string,
  options: { headers: Record<string, string> },
) => WebSocketLike;

/** What the socket actor needs. */
export interface SocketInput {
  url: string;
  token: string;
  /** `header` (Node: `Authorization: Bearer …`) or `query` (browsers: `?access_token=…`). */
  auth: 'header' | 'query';
  /** Defaults to `isomorphic-ws` (`ws` in Node, the global in browsers); header auth needs `ws`'s options. */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * A socket with no server ping or frame for this long is dead: 45 s in Node (osu! pings every 20 s); 0 = off.
   * Checked every third of it, so a dead socket ends after between 1 and 4/3 of it. Browser builds have no
   * such check (see platform/node.ts `watchPing`).
   */
  pingTimeoutMs: number;
  /** Every frame other than the handshake ones (`ready`, `authFailed`, `logout`). */
  onFrame(frame: ServerFrame, raw: string): void;
  /** A frame that could not be parsed or handled; the socket stays open. */
  onError(error: ChatError): void;
  /** Each frame the client sent, for devtools. */
  onSent?: ((raw: string) => void) | undefined;
}

/** Events the socket actor sends to its parent. */
export type SocketEvent =
  | { type: 'socket.ready' }
  | { type: 'socket.authFailed' }
  | { type: 'socket.logout' }
  | { type: 'socket.closed'; error: ChatError };

/** Events the socket actor accepts: start or stop chat delivery on this connection. */
export type SocketCommand = { type: 'chat.start' } | { type: 'chat.end' };

/** `WebSocket.OPEN`, the same in every implementation. */
const OPEN = 1;
const CHAT_START = '{"event":"chat.start"}';
const CHAT_END = '{"event":"chat.end"}';

/**
 * Runs one socket connection: opens it, reports handshake frames and its end through `sendBack`, obeys
 * `chat.start`/`chat.end` from `receive`, and returns the cleanup that closes it (with `chat.end` first if
 * chat was started). Errors and logs carry the URL with the token redacted, never the token.
 */
export function runSocket(
  input: SocketInput,
  sendBack: (event: SocketEvent) => void,
  receive: (listener: (event: SocketCommand) => void) => void,
): () => void {
  const url = input.auth === 'query' ? withAccessToken(input.url, input.token) : input.url;
  const safeUrl = redactUrl(url);
  let ended = false;
  let stopped = false;
  let chatStarted = false;
  /** Stops the ping watchdog (Node only). */
  let stopPingWatch: (() => void) | undefined;
  /** A frame arrived since the watchdog's last check; set per frame, so it must stay this cheap. */
  let heard = false;

  const end = (message: string, cause?: unknown) => {
    if (ended) return;
    ended = true;
    stopPingWatch?.();
    if (!stopped)
      sendBack({ type: 'socket.closed', error: new ChatError('network', message, safeCause(cause)) });
  };

  let socket: WebSocketLike;
  try {
    const Ctor = input.WebSocket ?? (IsoWebSocket as WebSocketConstructor);
    socket =
      input.auth === 'header'
        ? new (Ctor as HeaderWebSocketConstructor)(url, {
            headers: { Authorization: `Bearer ${input.token}` },
          })
        : new Ctor(url);
  } catch (cause) {
    end(`Could not open the socket to ${safeUrl}`, cause);
    return () => {};
  }

  const send = (raw: string) => {
    if (socket.readyState !== OPEN) return false;
    socket.send(raw);
    input.onSent?.(raw);
    return true;
  };

  const onMessage = (event: SocketEventLike) => {
    if (ended) return;
    heard = true;
    if (typeof event.data !== 'string') {
      input.onError(new ChatError('protocol', 'The socket sent a binary frame'));
      return;
    }
    const raw = event.data;
    try {
      const frame = parseFrame(raw);
      if (frame.type === 'ready') sendBack({ type: 'socket.ready' });
      else if (frame.type === 'authFailed') sendBack({ type: 'socket.authFailed' });
      else if (frame.type === 'logout') sendBack({ type: 'socket.logout' });
      else input.onFrame(frame, raw);
    } catch (error) {
      // A bad frame (or a consumer that throws on one) must not take the connection down.
      input.onError(
        isChatError(error)
          ? error
          : new ChatError('protocol', 'A socket frame could not be handled', safeCause(error)),
      );
    }
  };

  // `watchPing` is undefined in browser builds, where this whole block folds away.
  if (watchPing && input.pingTimeoutMs > 0) {
    stopPingWatch = watchPing(socket, {
      timeoutMs: input.pingTimeoutMs,
      url: safeUrl,
      takeHeard: () => {
        const wasHeard = heard;
        heard = false;
        return wasHeard;
      },
      end,
    });
  }
  socket.addEventListener('message', onMessage);
  socket.addEventListener('close', (event) =>
    end(`The socket to ${safeUrl} closed (code ${event.code ?? 'unknown'})`),
  );
  socket.addEventListener('error', (event) =>
    end(`The socket to ${safeUrl} failed${typeof event.message === 'string' ? `: ${event.message}` : ''}`),
  );

  receive((command) => {
    if (command.type === 'chat.start') chatStarted = send(CHAT_START) || chatStarted;
    else if (command.type === 'chat.end' && send(CHAT_END)) chatStarted = false;
  });

  return () => {
    stopped = true;
    stopPingWatch?.();
    // `send` skips a socket that is not open.
    if (chatStarted) send(CHAT_END);
    ended = true;
    socket.close(1000);
  };
}

/**
 * The socket as a callback actor (input {@link SocketInput}). It sends {@link SocketEvent}s to its parent and
 * accepts {@link SocketCommand}s.
 *
 * @example
 * ```ts
 * const machine = setup({ actors: { socket: socketActor } }).createMachine({
 *   invoke: { id: 'socket', src: 'socket', input: { url, token, auth: 'header', pingTimeoutMs: 45_000, onFrame, onError } },
 *   on: { 'socket.ready': { actions: sendTo('socket', { type: 'chat.start' }) } },
 * });
 * ```
 */
export const socketActor = /* @__PURE__ */ fromCallback<SocketCommand, SocketInput>(
  ({ input, sendBack, receive }) => runSocket(input, sendBack, receive),
);

/** Puts the token in `?access_token=` (browsers cannot set socket headers). */
function withAccessToken(url: string, token: string): string {
  const [base = '', hash] = url.split('#', 2);
  const queryAt = base.indexOf('?');
  const path = queryAt === -1 ? base : base.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : base.slice(queryAt + 1));
  params.set('access_token', token);
  return `${path}?${params.toString()}${hash === undefined ? '' : `#${hash}`}`;
}

/** A cause safe to keep: the original error's text with any token or token-bearing URL removed. */
function safeCause(cause: unknown): { cause?: Error } {
  if (cause === undefined) return {};
  const message = cause instanceof Error ? cause.message : String(cause);
  return { cause: new Error(redact(redactUrl(message))) };
}
