// Keeping the picture complete while live: what happens on entering `live` (ack, refresh the channel list,
// heal every loaded channel), backfills and newest-page loads retried while live, and details fetched for
// channels that are observed or known only by id.
import { asChatError, type ChatError } from '../errors.js';
import type { Channel, Clock, ConnectionState } from '../types.js';
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
  /** The session's state now (its status and, once known, its mode). */
  connection: () => ConnectionState;
  onError: (error: ChatError) => void;
}

export class LiveSync {
  readonly #options: LiveSyncOptions;
  /** Observed channels whose newest page failed to load on a retryable error. */
  readonly #failedLoads = new Set<number>();
  #retryTimer: unknown = null;
  #retryAttempt = 0;
  #disposed = false;

  constructor(options: LiveSyncOptions) {
    this.#options = options;
  }

  /** Entering `live`: ack, refresh the channel list, then heal every channel with loaded messages. */
  async onLive(): Promise<void> {
    const { keepalive, channelSync, history, connection, onError } = this.#options;
    // The socket may drop again before the backfills run: that newer risk must survive them.
    const risks = history.risks;
    const report = (error: unknown) => onError(asChatError(error));
    await keepalive.ack().catch(report);
    const targets = await channelSync
      .refresh(connection().mode ?? 'thirdParty', keepalive.cursors())
      .catch((error: unknown) => {
        report(error);
        return new Map<number, number | null>();
      });
    await this.heal(() => true, targets, risks);
  }

  /** Backfills every channel with loaded messages that `which` selects, a few at a time. */
  async heal(
    which: (channel: Channel) => boolean,
    targets?: Map<number, number | null>,
    risks?: number,
  ): Promise<void> {
    const { store, history } = this.#options;
    // Four workers take the channels from one queue: at most four backfills run at once.
    const queue = [...store.snapshot.channels.values()]
      .filter((c) => !c.draft && which(c) && history.cursor(c.id) !== null)
      .values();
    const worker = async () => {
      for (const { id } of queue) await history.backfill(id, targets?.get(id) ?? null, risks);
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    this.#retryFailedLoads();
  }

  /**
   * Backfills and newest-page loads that failed on a retryable error are tried again, with backoff, while
   * live: otherwise they would wait for the next reconnect, which a network that healed never brings.
   */
  #retryFailedLoads(): void {
    const { history, clock, connection } = this.#options;
    if (history.failedBackfills().size === 0 && this.#failedLoads.size === 0) {
      this.#retryAttempt = 0;
      return;
    }
    if (this.#retryTimer !== null || this.#disposed) return;
    const delay = Math.min(30_000, 1000 * 2 ** this.#retryAttempt);
    this.#retryAttempt += 1;
    this.#retryTimer = clock.setTimeout(() => {
      this.#retryTimer = null;
      // Not live: entering `live` heals every channel, then comes back here.
      if (connection().status !== 'live') return;
      for (const id of this.#failedLoads) {
        this.#failedLoads.delete(id);
        this.ensureMessages(id);
      }
      const failed = history.failedBackfills();
      if (failed.size > 0) void this.heal((channel) => failed.has(channel.id));
    }, delay);
  }

  ensureChannel(channelId: number): void {
    const { store, channelSync } = this.#options;
    const id = store.resolve(channelId);
    const channel = store.snapshot.channels.get(id);
    if (id <= 0 || channel?.draft) return;
    if (!channel?.loaded || (channel.type === 'PM' && !this.#hasPmUsers(channel))) {
      void channelSync.fetch(id);
    }
  }

  #hasPmUsers(channel: Channel): boolean {
    const { users } = this.#options.store.snapshot;
    return channel.userIds.length > 0 && channel.userIds.every((id) => users.has(id));
  }

  ensureMessages(channelId: number): void {
    const { store, history, onError } = this.#options;
    const id = store.resolve(channelId);
    const channel = store.snapshot.channels.get(id);
    // No need to check for an id ≤ 0: osu!'s ids are positive, so only a draft's is.
    if (!channel || channel.draft) return;
    if (!store.snapshot.messages.get(id)?.loaded) {
      history.loadLatest(id).catch((cause: unknown) => {
        const error = asChatError(cause);
        onError(error);
        if (!error.retryable) return;
        this.#failedLoads.add(id);
        this.#retryFailedLoads();
      });
    }
  }

  /**
   * An observed channel's newest page: {@link ensureMessages} at once when the channel is loaded, else as soon
   * as it is (a channel may be observed before the channel list arrived). Returns the stop for that wait.
   */
  ensureMessagesOnceLoaded(channelId: number): () => void {
    const subscription = this.#options.store
      .loaded$(channelId)
      .subscribe(() => this.ensureMessages(channelId));
    return () => subscription.unsubscribe();
  }

  /**
   * Channels known only by id (a message arrived for them) get their details fetched. A placeholder seen
   * again while its fetch runs joins that fetch (`ChannelSync.fetch` runs one per channel at a time).
   */
  watchPlaceholders(): () => void {
    const { store, channelSync } = this.#options;
    const subscription = store.state$.subscribe((state) => {
      for (const channel of state.channels.values()) {
        if (!channel.loaded && !channel.draft) void channelSync.fetch(channel.id);
      }
    });
    return () => subscription.unsubscribe();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#retryTimer !== null) this.#options.clock.clearTimeout(this.#retryTimer);
  }
}
