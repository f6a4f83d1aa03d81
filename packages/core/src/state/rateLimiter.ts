// Client-side pacing of chat sends that mirrors osu!'s throttle (spec §4.3): one message per second per user in
// each of two buckets, PM channels and everything else. Sends are queued, never rejected: each bucket runs
// its tasks one at a time, in order, and spaces its requests (and the back-off before a retry) with the
// injected clock.
import { ChatError } from '../errors.js';
import type { ChannelType, Clock } from '../types.js';

/** osu!'s two throttle buckets: `PM` channels, and `PUBLIC` for every other type. */
export type SendBucket = 'PM' | 'PUBLIC';

/** The throttle bucket a channel type's sends count against. */
export function sendBucket(type: ChannelType): SendBucket {
  return type === 'PM' ? 'PM' : 'PUBLIC';
}

/** How a {@link SendRateLimiter} paces; the outbox's options include these. */
export interface SendPacingOptions {
  clock: Clock;
  /** Spacing of requests per bucket, from the end of one to the start of the next; 1000 ms by default. */
  sendIntervalMs?: number;
  /** First automatic retry delay (doubling, at most 30 s) when the server gave no `Retry-After`; 1000 ms. */
  retryBaseMs?: number;
  /** Jitter source for retry delays (0 ≤ x < 1); `Math.random` by default. */
  random?: () => number;
}

interface Lane {
  /** Settles once every task queued in the lane so far has. */
  tail: Promise<void>;
  /** When the next request of this bucket may start (clock ms). */
  readyAt: number;
}

const idleLane = (): Lane => ({ tail: Promise.resolve(), readyAt: Number.NEGATIVE_INFINITY });

/**
 * Per-bucket FIFO lanes with request spacing. A task holds its lane until it settles, so only one request
 * per bucket is ever in flight and later sends cannot overtake earlier ones.
 *
 * Spacing counts from the end of the previous request, not its start: osu! stamps a message somewhere
 * between the two, so `sendIntervalMs` after the response is the only point that surely lies in a later
 * one-second throttle window.
 *
 * @example
 * ```ts
 * const limiter = new SendRateLimiter({ clock });
 * limiter.run('PUBLIC', async () => {
 *   await limiter.pace('PUBLIC');
 *   try { await post(); } finally { limiter.finished('PUBLIC'); }
 * });
 * ```
 */
export class SendRateLimiter {
  readonly #lanes: Record<SendBucket, Lane> = { PM: idleLane(), PUBLIC: idleLane() };
  /** Ends a pending wait: resolved, or rejected once the limiter is disposed. */
  readonly #waits = new Set<() => void>();
  readonly #options: SendPacingOptions;
  #disposed = false;

  constructor(options: SendPacingOptions) {
    this.#options = options;
  }

  /** Queues a task at the end of the bucket's lane; it starts when every earlier task there has settled. */
  run(bucket: SendBucket, task: () => Promise<void>): void {
    const lane = this.#lanes[bucket];
    // Tasks report their own failures; the lane only needs to know they ended. Once disposed, none starts.
    lane.tail = lane.tail.then(() => (this.#disposed ? undefined : task())).catch(() => undefined);
  }

  /** Resolves when the bucket may start its next request. */
  pace(bucket: SendBucket): Promise<void> {
    return this.wait(this.#lanes[bucket].readyAt - this.#options.clock.now());
  }

  /** Records that a request of this bucket has ended (answered or failed): the spacing starts now. */
  finished(bucket: SendBucket): void {
    this.#lanes[bucket].readyAt = this.#options.clock.now() + (this.#options.sendIntervalMs ?? 1000);
  }

  /**
   * Waits before automatic retry number `attempt` (1-based): the server's `Retry-After` when `error` gave
   * one, else `retryBaseMs · 2^(attempt-1)` capped at 30 s; jitter only ever adds (up to 10%, so many clients
   * do not retry in step), so a hint is never undercut.
   */
  backOff(attempt: number, error: ChatError | null): Promise<void> {
    const { retryBaseMs = 1000, random = Math.random } = this.#options;
    const hinted = error?.retryAfter;
    const delay = hinted !== undefined ? hinted * 1000 : Math.min(30_000, retryBaseMs * 2 ** (attempt - 1));
    return this.wait(Math.round(delay * (1 + 0.1 * random())));
  }

  /**
   * Waits `ms` on the injected clock, or less when `until` settles first. Rejects with `ChatError('closed')`
   * when the limiter is disposed meanwhile.
   */
  wait(ms: number, until?: Promise<unknown>): Promise<void> {
    if (this.#disposed) return Promise.reject(outboxClosed());
    if (ms <= 0 && !until) return Promise.resolve();
    const { clock } = this.#options;
    return new Promise<void>((resolve, reject) => {
      const end = () => {
        if (!this.#waits.delete(end)) return;
        clock.clearTimeout(timer);
        if (this.#disposed) reject(outboxClosed());
        else resolve();
      };
      this.#waits.add(end);
      const timer = clock.setTimeout(end, Math.max(0, ms));
      until?.then(end, end);
    });
  }

  /** Drops queued tasks and rejects every wait with `ChatError('closed')`. */
  dispose(): void {
    this.#disposed = true;
    // Each wait ends rejected now; each end removes itself from the set, which a for…of over a Set tolerates.
    for (const end of this.#waits) end();
  }
}

/** Why a wait ended early, or could not start: the limiter (the outbox's) was disposed. */
export function outboxClosed(): ChatError {
  return new ChatError('closed', 'The outbox was closed');
}
