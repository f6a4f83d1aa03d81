// Keepalive (§6): who counts as active in a PUBLIC channel, and so receives its `chat.message.new`. osu-web keeps
// one Redis sorted set per channel (`chat:channel:{id}`, user → last ack) fed by `POST /chat/ack` and by joining.
import type { Clock } from './clock.js';
import { getOrCreate } from './getOrCreate.js';
import type { EmulatorConfig } from './types.js';

export class ChannelActivity {
  /** PUBLIC channel id → userId → last ack (epoch ms). */
  private readonly acks = new Map<number, Map<number, number>>();

  constructor(
    private readonly clock: Clock,
    private readonly config: () => EmulatorConfig,
  ) {}

  ack(channelId: number, userId: number): void {
    getOrCreate(this.acks, channelId, () => new Map()).set(userId, this.clock.now());
  }

  /**
   * Users who acked the channel within the activity timeout. Leaving does not remove an ack (§6.3), so these
   * need not be members any more.
   */
  activeUserIds(channelId: number): number[] {
    const since = this.clock.now() - this.config().activity_timeout * 1000;
    const scores = this.acks.get(channelId);
    if (!scores) return [];
    return [...scores].filter(([, at]) => at >= since).map(([userId]) => userId);
  }

  clear(): void {
    this.acks.clear();
  }
}
