// Keeps public-channel delivery alive: osu! only sends a PUBLIC channel's messages to users who acked within
// the last 60 s, so while the session is live and the user is in a public channel, ack every 20–30 s.
import { fromCallback } from 'xstate';
import { asChatError, type ChatError } from '../errors.js';
import type { Clock } from '../types.js';

/** What the keepalive loop needs. */
export interface KeepaliveInput {
  /** `POST /chat/ack`. */
  ack(): Promise<void>;
  /** Whether acks are needed now (the user is in a PUBLIC channel); asked before every ack. */
  needsKeepalive(): boolean;
  /** A failed ack other than an auth failure; the loop carries on. */
  onAckError(error: ChatError): void;
  /** In [0, 1); picks each interval uniformly between `minMs` and `maxMs`. */
  random?: (() => number) | undefined;
  /** Shortest interval between acks; 20 s by default. */
  minMs?: number | undefined;
  /** Longest interval between acks; 30 s by default (well under the server's 60 s). */
  maxMs?: number | undefined;
  /** Timer source; the global timers by default. */
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'> | undefined;
}

/** Events the keepalive actor accepts: ack now and restart the interval (after a join, on refocus). */
export type KeepaliveCommand = { type: 'keepalive.now' };

/** Sent to the parent when an ack was refused with an auth error: the token needs refreshing. */
export type KeepaliveEvent = { type: 'token.rejected'; error: ChatError };

/**
 * Runs the ack loop: a tick at once, then one every `minMs`–`maxMs`; each tick acks if `needsKeepalive()`.
 * At most one ack is in flight (a tick during one is skipped: the pending ack serves it). Returns the cleanup.
 */
export function runKeepalive(
  input: KeepaliveInput,
  sendBack: (event: KeepaliveEvent) => void,
  receive: (listener: (event: KeepaliveCommand) => void) => void,
): () => void {
  // The global scope has `setTimeout` and `clearTimeout`: the global timers by default.
  const clock: Pick<Clock, 'setTimeout' | 'clearTimeout'> = input.clock ?? globalThis;
  const random = input.random ?? Math.random;
  const minMs = input.minMs ?? 20_000;
  const maxMs = input.maxMs ?? 30_000;
  let timer: unknown;
  let inFlight = false;
  let stopped = false;

  const ack = async () => {
    inFlight = true;
    try {
      await input.ack();
    } catch (cause) {
      if (stopped) return;
      const error = asChatError(cause, 'network', 'The keepalive ack failed');
      if (error.kind === 'auth') sendBack({ type: 'token.rejected', error });
      else input.onAckError(error);
    } finally {
      inFlight = false;
    }
  };

  const tick = () => {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(tick, minMs + random() * (maxMs - minMs));
    if (!inFlight && input.needsKeepalive()) void ack();
  };

  // `keepalive.now` is the only command there is.
  receive(() => tick());
  tick();
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}

/**
 * The ack loop as a callback actor (input {@link KeepaliveInput}); the session machine invokes it while live.
 *
 * @example
 * ```ts
 * const machine = setup({ actors: { keepalive: keepaliveActor } }).createMachine({
 *   invoke: { id: 'keepalive', src: 'keepalive', input: { ack, needsKeepalive, onAckError } },
 *   on: { 'token.rejected': '.unauthorized' },
 * });
 * ```
 */
export const keepaliveActor = /* @__PURE__ */ fromCallback<KeepaliveCommand, KeepaliveInput>(
  ({ input, sendBack, receive }) => runKeepalive(input, sendBack, receive),
);
