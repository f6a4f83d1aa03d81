// The send throttle of §4.3: osu-web's `message_throttle:{user}:{PM|PUBLIC}` sliding window, one for PMs and
// one for everything else, with limits read from the world's config at each attempt (the control API can
// change them at any time).
import type { Clock } from './clock.js';
import { fail } from './errors.js';
import type { ChannelType, EmulatorConfig } from './types.js';

export class SendThrottle {
  /** `{user}:{PM|PUBLIC}` → attempt times in whole seconds. */
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly config: () => EmulatorConfig,
  ) {}

  /**
   * Records a send attempt and fails with 429 when the window already held `limit` attempts. The attempt is
   * recorded even when it is rejected, so a client that keeps retrying stays throttled.
   */
  consume(userId: number, channelType: ChannelType): void {
    const config = this.config();
    const bucket = channelType === 'PM' ? 'PM' : 'PUBLIC';
    const limit = bucket === 'PM' ? config.chat_private_limit : config.chat_public_limit;
    const window = bucket === 'PM' ? config.chat_private_window : config.chat_public_window;
    const key = `${userId}:${bucket}`;
    const now = Math.floor(this.clock.now() / 1000);
    const attempts = (this.attempts.get(key) ?? []).filter((at) => at > now - window);
    const count = attempts.length;
    attempts.push(now);
    this.attempts.set(key, attempts);
    if (count >= limit) {
      fail(429, 'You are sending messages too quickly, please wait a bit before trying again.');
    }
  }

  clear(): void {
    this.attempts.clear();
  }
}
