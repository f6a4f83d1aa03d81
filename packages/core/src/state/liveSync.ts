// Keeping the picture complete while live: what happens on entering `live` (ack, refresh the channel list,
// heal every loaded channel), backfills and newest-page loads retried while live, and details fetched for
// channels that are observed or known only by id.
import { filter } from 'rxjs';
import { ChatError } from '../errors.js';
import type { Channel, Clock } from '../types.js';
import type { ChannelSync } from './channelSync.js';
import type { HistoryLoader } from './history.js';
import type { Keepalive } from './keepalive.js';
import type { ChatStore } from './store.js';

export interface LiveSyncOptions {
  store: ChatStore;
  history: HistoryLoader;
  channelSync: ChannelSync;
  keepalive: Keepalive;
  clock: Clock;
  /** The session's mode, once known. */
  mode: () => 'lazer' | 'thirdParty';
  isLive: () => boolean;
  onError: (error: ChatError) => void;
}

export class LiveSync {
  /** Observed channels whose newest page failed to load on a retryable error. */
  private readonly failedLoads = new Set<number>();
  private retryTimer: unknown = null;
  private retryAttempt = 0;
  private disposed = false;

  constructor(private readonly options: LiveSyncOptions) {}

  /** Entering `live`: ack, refresh the channel list, then heal every channel with loaded messages. */
  async onLive(): Promise<void> {
    const report = (error: unknown) => this.options.onError(asChatError(error));
    await this.options.keepalive.ack().catch(report);
    const mode = this.options.mode();
    const targets = await this.options.channelSync
      .refresh(mode, this.options.keepalive.cursors())
      .catch((error: unknown) => {
        report(error);
        return new Map<number, number | null>();
      });
    await this.heal(() => true, targets);
  }

  /** Backfills every channel with loaded messages that `which` selects, a few at a time. */
  async heal(which: (channel: Channel) => boolean, targets?: Map<number, number | null>): Promise<void> {
    const state = this.options.store.snapshot;
    const ids = [...state.channels.values()]
      .filter((c) => !c.draft && which(c) && this.options.history.cursor(c.id) !== null)
      .map((c) => c.id);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++] as number;
        await this.options.history.backfill(id, targets?.get(id) ?? null);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, ids.length) }, worker));
    this.retryFailedLoads();
  }

  /**
   * Backfills and newest-page loads that failed on a retryable error are tried again, with backoff, while
   * live: otherwise they would wait for the next reconnect, which a network that healed never brings.
   */
  private retryFailedLoads(): void {
    if (this.options.history.failedBackfills().size === 0 && this.failedLoads.size === 0) {
      this.retryAttempt = 0;
      return;
    }
    if (this.retryTimer !== null || this.disposed) return;
    const delay = Math.min(30_000, 1000 * 2 ** this.retryAttempt);
    this.retryAttempt += 1;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      // Not live: entering `live` heals every channel, then comes back here.
      if (!this.options.isLive()) return;
      for (const id of this.failedLoads) {
        this.failedLoads.delete(id);
        this.ensureMessages(id);
      }
      const failed = this.options.history.failedBackfills();
      if (failed.size > 0) void this.heal((channel) => failed.has(channel.id));
    }, delay);
  }

  ensureChannel(channelId: number): void {
    const id = this.options.store.resolve(channelId);
    const channel = this.options.store.snapshot.channels.get(id);
    if (id <= 0 || channel?.draft) return;
    if (!channel?.loaded || (channel.type === 'PM' && !this.hasPmUsers(channel))) {
      void this.options.channelSync.fetch(id);
    }
  }

  private hasPmUsers(channel: Channel): boolean {
    const users = this.options.store.snapshot.users;
    return channel.userIds.length > 0 && channel.userIds.every((id) => users.has(id));
  }

  ensureMessages(channelId: number): void {
    const id = this.options.store.resolve(channelId);
    const channel = this.options.store.snapshot.channels.get(id);
    if (id <= 0 || !channel || channel.draft) return;
    if (!this.options.store.snapshot.messages.get(id)?.loaded) {
      this.options.history.loadLatest(id).catch((cause: unknown) => {
        const error = asChatError(cause);
        this.options.onError(error);
        if (!error.retryable) return;
        this.failedLoads.add(id);
        this.retryFailedLoads();
      });
    }
  }

  /** Channels known only by id (a message arrived for them) get their details fetched. */
  watchPlaceholders(): () => void {
    const requested = new Set<number>();
    const subscription = this.options.store.state$
      .pipe(filter((state) => state.channels.size > 0))
      .subscribe((state) => {
        for (const channel of state.channels.values()) {
          if (channel.loaded || channel.draft) {
            requested.delete(channel.id);
            continue;
          }
          if (requested.has(channel.id)) continue;
          requested.add(channel.id);
          void this.options.channelSync.fetch(channel.id).then(() => requested.delete(channel.id));
        }
      });
    return () => subscription.unsubscribe();
  }

  dispose(): void {
    this.disposed = true;
    if (this.retryTimer !== null) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

function asChatError(error: unknown): ChatError {
  return error instanceof ChatError
    ? error
    : new ChatError('network', 'Unexpected failure', { cause: error });
}
