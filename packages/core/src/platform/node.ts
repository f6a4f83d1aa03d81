// `#platform` everywhere but browser builds (see the `imports` map in package.json): Node, and any runtime or
// bundler that does not ask for the `browser` condition. It still tells Node apart at run time, so an app whose
// bundler skips that condition behaves as a browser should; it only ships these bytes. Its twin, browser.ts, has
// the same exports with the browser answers and none of this code, so browser apps do not carry what only Node
// can run: the `ws` ping watchdog and Node's network error codes.
import type { WebSocketLike } from '../session/socketActor.js';

/** True in Node (and Node-based test DOMs): the socket can carry the token in a header there. */
export const isNode: boolean = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** What the ping watchdog needs from the socket actor. */
export interface PingWatch {
  /** Silence for this long ends the socket (the actor's `pingTimeoutMs`, above 0). */
  timeoutMs: number;
  /** The socket URL with the token redacted, for the error message. */
  url: string;
  /** Whether a frame arrived since the last call; each call resets it. */
  takeHeard(): boolean;
  /** Ends the connection with this message; the watchdog then drops the socket. */
  end(message: string): void;
}

/** Liveness checks per ping timeout. */
const PING_CHECKS = 3;

/**
 * Watches a new socket's liveness from its `open` on, and returns the stop (which also keeps a later `open`
 * from starting it). `ws` sockets in Node see the server's pings (osu! pings every 20 s) and must notice a dead
 * connection themselves; browsers answer pings invisibly, so browser builds have no watchdog (undefined).
 *
 * Liveness without a timer per frame: a check every third of the timeout counts the checks in a row that heard
 * nothing (no ping, no frame); the third such check ends the socket, after 45–60 s of silence for a 45 s timeout.
 */
export const watchPing: ((socket: WebSocketLike, watch: PingWatch) => () => void) | undefined = (
  socket,
  watch,
) => {
  const { timeoutMs } = watch;
  let check: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  let pinged = false;
  let quietChecks = 0;
  socket.addEventListener('open', () => {
    if (stopped || check !== undefined) return;
    check = setInterval(() => {
      // Both signs of life are read and reset on every check.
      const heardFrame = watch.takeHeard();
      quietChecks = heardFrame || pinged ? 0 : quietChecks + 1;
      pinged = false;
      if (quietChecks < PING_CHECKS) return;
      watch.end(`No ping from ${watch.url} for ${timeoutMs} ms`);
      if (socket.terminate) socket.terminate();
      else socket.close();
    }, timeoutMs / PING_CHECKS);
  });
  socket.on?.('ping', () => {
    pinged = true;
  });
  return () => {
    stopped = true;
    clearInterval(check);
  };
};

/** Node's error codes that prove a request never reached the server (so retrying it cannot double-post). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * Whether a network error's cause chain carries one of Node's codes for a request that never left: a refused
 * connection or a failed DNS lookup. A browser's fetch failure never says why it failed, so browser builds
 * have no such check (undefined) and only the error's kind decides.
 */
export const causeProvesNotSent: ((cause: unknown) => boolean) | undefined = (cause) => {
  let link = cause;
  for (let depth = 0; depth < 6 && link; depth += 1) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
    link = (link as { cause?: unknown }).cause;
  }
  return false;
};
