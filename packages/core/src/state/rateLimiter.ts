// Client-side pacing of chat sends that mirrors osu!'s throttle (spec §4.3): one message per second per user in
// each of two buckets, PM channels and everything else. Sends are queued, never rejected: each bucket runs
// its tasks one at a time, in order, and spaces its requests with the injected clock.
import { ChatError } from '../errors.js';
import type { ChannelType, Clock } from '../types.js';

/** osu!'s two throttle buckets: `PM` channels, and `PUBLIC` for every other type. */
export type SendBucket = 'PM' | 'PUBLIC';

/** The throttle bucket a channel type's sends count against. */
export function sendBucket(type: ChannelType): SendBucket {
  return type === 'PM' ? 'PM' : 'PUBLIC';
}

export interface RetryDelayOptions {
  /** The first automatic retry waits this long; each later one twice as long as the one before. */
  baseMs: number;
  maxMs: number;
  /** 0 ≤ x < 1; adds up to 10% so many clients do not retry in step. */
  random: () => number;
}

/**
 * How long to wait before automatic retry number `attempt` (1-based): the server's `Retry-After` when it
 * gave one, else `baseMs · 2^(attempt-1)` capped at `maxMs`; jitter only ever adds, so a hint is never undercut.
 */
export function retryDelay(attempt: number, error: ChatError | null, options: RetryDelayOptions): number {
  const hinted = error?.retryAfter;
  const delay =
    hinted !== undefined
      ? hinted * 1000
      : Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(delay * (1 + 0.1 * options.random()));
}

interface Lane {
  tasks: (() => Promise<void>)[];
  running: boolean;
  /** When the next request of this bucket may start (clock ms). */
  readyAt: number;
}

interface Waiter {
  handle: unknown;
  reject: (error: ChatError) => void;
}

/**
 * Per-bucket FIFO lanes with request spacing. A task holds its lane until it settles, so only one request
 * per bucket is ever in flight and later sends cannot overtake earlier ones.
 *
 * Spacing counts from the end of the previous request, not its start: osu! stamps a message somewhere
 * between the two, so `intervalMs` after the response is the only point that surely lies in a later
 * one-second throttle window.
 *
 * @example
 * ```ts
 * const limiter = new SendRateLimiter({ clock, intervalMs: 1000 });
 * limiter.run('PUBLIC', async () => {
 *   await limiter.pace('PUBLIC');
 *   try { await post(); } finally { limiter.finished('PUBLIC'); }
 * });
 * ```
 */
export class SendRateLimiter {
  readonly #lanes = new Map<SendBucket, Lane>();
  readonly #waiters = new Set<Waiter>();
  readonly #clock: Clock;
  readonly #intervalMs: number;
  #disposed = false;

  constructor(options: { clock: Clock; intervalMs: number }) {
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
  }

  /** Queues a task at the end of the bucket's lane; it starts when every earlier task there has settled. */
  run(bucket: SendBucket, task: () => Promise<void>): void {
    if (this.#disposed) return;
    const lane = this.#lane(bucket);
    lane.tasks.push(task);
    this.#next(lane);
  }

  /** Resolves when the bucket may start its next request. */
  pace(bucket: SendBucket): Promise<void> {
    return this.wait(this.#lane(bucket).readyAt - this.#clock.now());
  }

  /** Records that a request of this bucket has ended (answered or failed): the spacing starts now. */
  finished(bucket: SendBucket): void {
    this.#lane(bucket).readyAt = this.#clock.now() + this.#intervalMs;
  }

  /**
   * Waits `ms` on the injected clock, or less when `until` settles first. Rejects with `ChatError('closed')`
   * when the limiter is disposed meanwhile.
   */
  wait(ms: number, until?: Promise<unknown>): Promise<void> {
    if (this.#disposed) return Promise.reject(outboxClosed());
    if (ms <= 0 && !until) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { handle: undefined, reject };
      const done = () => {
        if (!this.#waiters.delete(waiter)) return;
        this.#clock.clearTimeout(waiter.handle);
        resolve();
      };
      this.#waiters.add(waiter);
      waiter.handle = this.#clock.setTimeout(done, Math.max(0, ms));
      until?.then(done, done);
    });
  }

  /** Drops queued tasks and rejects every wait with `ChatError('closed')`. */
  dispose(): void {
    this.#disposed = true;
    this.#lanes.clear();
    // Neither clearing a timer nor rejecting runs anything synchronously, so the set cannot change meanwhile.
    for (const waiter of this.#waiters) {
      this.#clock.clearTimeout(waiter.handle);
      waiter.reject(outboxClosed());
    }
    this.#waiters.clear();
  }

  #lane(bucket: SendBucket): Lane {
    let lane = this.#lanes.get(bucket);
    if (!lane) {
      lane = { tasks: [], running: false, readyAt: Number.NEGATIVE_INFINITY };
      this.#lanes.set(bucket, lane);
    }
    return lane;
  }

  #next(lane: Lane): void {
    if (lane.running || this.#disposed) return;
    const task = lane.tasks.shift();
    if (!task) return;
    lane.running = true;
    // Tasks report their own failures; the lane only needs to know they ended.
    task()
      .catch(() => undefined)
      .finally(() => {
        lane.running = false;
        this.#next(lane);
      });
  }
}

/** Why a wait ended early, or could not start: the limiter (the outbox's) was disposed. */
export function outboxClosed(): ChatError {
  return new ChatError('closed', 'The outbox was closed');
}
