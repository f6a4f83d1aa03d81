/** A source of the current time in epoch milliseconds. Every time-dependent rule of the emulator reads one. */
export interface Clock {
  now(): number;
}

/**
 * The emulator's own clock: real time plus an offset that tests move forward (`advance`) or pin (`set`),
 * so keepalive windows, throttles, backlogs and silences can be exercised without waiting.
 */
export class EmulatorClock implements Clock {
  private offset = 0;

  constructor(private readonly base: Clock = { now: () => Date.now() }) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  /** Moves time forward (or back, with a negative value) by `ms`. */
  advance(ms: number): number {
    this.offset += ms;
    return this.now();
  }

  /** Makes `now()` return `epochMs` at this instant; time then keeps running from there. */
  set(epochMs: number): number {
    this.offset = epochMs - this.base.now();
    return this.now();
  }
}
