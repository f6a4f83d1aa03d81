// History: the newest page, older pages (`until`), and backfill (`since`) that heals a channel after a window
// in which the socket may have missed messages. Only an empty page means "nothing more" (osu! filters pages
// after the limit, so short pages are normal).
import { asChatError, type ChatError } from '../errors.js';
import type { ChatHttp } from '../transport/http.js';
import { decodeList, decodeMessage, decodeUser, expectObject } from '../transport/wire.js';
import type { Continuity, Message, User } from '../types.js';
import type { ChatStore } from './store.js';

/** osu!'s page size (the server's maximum). */
export const PAGE_SIZE = 50;

export interface HistoryOptions {
  store: ChatStore;
  http: ChatHttp;
  onError: (error: ChatError) => void;
  /** Most `since` pages a backfill fetches per channel before it reports `gap`. */
  maxBackfillPages: number;
}

export interface Page {
  messages: Message[];
  users: User[];
}

export class HistoryLoader {
  readonly #options: HistoryOptions;
  readonly #store: ChatStore;
  /** Loads in progress by kind and channel (`latest:12`): asking again joins the one running. */
  readonly #inFlight = new Map<string, Promise<unknown>>();
  /**
   * Where a channel's next backfill starts, recorded when delivery became at risk (socket down, late ack).
   * Live messages that arrive before the backfill runs are newer than the hole: starting after them would
   * skip it.
   */
  readonly #healFrom = new Map<number, number>();
  /** Channels whose newest page was empty, with their last message id then: their backfill starts after it. */
  readonly #loadedEmpty = new Map<number, number>();
  /** Channels whose last backfill stopped on a retryable error (5xx, timeout): worth another try. */
  readonly #failed = new Set<number>();
  /** Counts {@link markRisk} calls: a backfill that saw a new risk window open while it ran has not healed it. */
  #risks = 0;

  constructor(options: HistoryOptions) {
    this.#options = options;
    this.#store = options.store;
  }

  /** Fetches one page: `since` (oldest after an id), `until` (newest before an id) or the newest. */
  async #page(channelId: number, query: { since?: number; until?: number }): Promise<Page> {
    const response = await this.#options.http.request('GET', `/chat/channels/${channelId}/messages`, {
      query: { limit: PAGE_SIZE, return_object: 1, ...query },
    });
    const json = expectObject(response, 'history page');
    const { onError } = this.#options;
    const messages = decodeList(json.messages, decodeMessage, onError);
    const users = Array.isArray(json.users) ? decodeList(json.users, decodeUser, onError) : [];
    // A page is ascending by id; keep only this channel's messages whatever the server sent.
    return { messages: messages.filter((m) => m.channelId === channelId), users };
  }

  /** Loads the newest page of a channel (once at a time per channel). */
  loadLatest(channelId: number): Promise<void> {
    return runOnce(this.#inFlight, `latest:${channelId}`, async () => {
      const page = await this.#page(channelId, {});
      this.#merge(channelId, 'latest', page);
      if (page.messages.length > 0) this.#loadedEmpty.delete(channelId);
      else this.#loadedEmpty.set(channelId, this.#store.snapshot.channels.get(channelId)?.lastMessageId ?? 0);
    });
  }

  /** Loads the page before the oldest loaded message; `hasMore` turns false on an empty page. */
  loadOlder(channelId: number): Promise<void> {
    return runOnce(this.#inFlight, `older:${channelId}`, async () => {
      const store = this.#store;
      const loaded = store.snapshot.messages.get(channelId);
      const oldest = loaded?.messages.find(isSent);
      if (!oldest) return this.loadLatest(channelId);
      if (!loaded?.hasMore) return;
      store.dispatch({ type: 'history.loading', channelId, loading: true });
      try {
        const page = await this.#page(channelId, { until: oldest.id as number });
        this.#merge(channelId, 'older', page);
      } finally {
        store.dispatch({ type: 'history.loading', channelId, loading: false });
      }
    });
  }

  /**
   * Heals a channel: pages `since` its newest loaded message until an empty page or `targetId` is reached,
   * merging as it goes while live messages keep arriving. Sets continuity `recovering` → `live`, or `gap`
   * when the page budget runs out. Returns the final continuity. `risks` is {@link risks} when the heal was
   * asked for: a risk marked after it is not healed by this backfill.
   */
  backfill(channelId: number, targetId: number | null = null, risks = this.#risks): Promise<Continuity> {
    return runOnce(this.#inFlight, `backfill:${channelId}`, async () => {
      const store = this.#store;
      let cursor = this.cursor(channelId);
      if (cursor === null) return 'live';
      const reached = (id: number) => targetId !== null && id >= targetId;
      if (reached(cursor)) {
        this.#healed(channelId);
        // A failed backfill may have left `gap` although nothing is missing after all.
        return this.#setContinuity(channelId, 'live');
      }
      this.#setContinuity(channelId, 'recovering');
      let continuity: Continuity = 'gap';
      try {
        for (let pages = 0; pages < this.#options.maxBackfillPages; pages += 1) {
          const page = await this.#page(channelId, { since: cursor });
          if (!store.snapshot.channels.has(channelId)) return 'live';
          const newest = page.messages.at(-1);
          if (newest) {
            this.#merge(channelId, 'newer', page);
            cursor = newest.id as number;
          }
          if (!newest || reached(cursor)) {
            continuity = 'live';
            break;
          }
        }
      } catch (cause) {
        // Left as `gap`: the client retries a retryable failure, and the next risk window or reconnect too.
        const error = asChatError(cause, 'network', 'Backfill failed');
        if (error.retryable) this.#failed.add(channelId);
        this.#options.onError(error);
      }
      // Healed, or a gap that heals later from where this one stopped. If delivery became at risk again since
      // `risks` was read (the socket dropped after the reconnect that asked for this backfill), what came after
      // `cursor` may be missing: the next backfill starts there, not after newer messages (an own send's
      // response, say) that arrive in the meantime.
      if (continuity === 'live' && this.#risks === risks) this.#healed(channelId);
      else this.#healFrom.set(channelId, cursor);
      if (store.snapshot.channels.has(channelId)) this.#setContinuity(channelId, continuity);
      return continuity;
    });
  }

  /**
   * Where a backfill of the channel starts: the point recorded when delivery became at risk, else its newest
   * loaded message (or, loaded empty, its last message id then); null when nothing was loaded.
   */
  cursor(channelId: number): number | null {
    return (
      this.#healFrom.get(channelId) ??
      this.#store.snapshot.messages.get(channelId)?.messages.findLast(isSent)?.id ??
      this.#loadedEmpty.get(channelId) ??
      null
    );
  }

  /**
   * Channels whose last backfill failed on a retryable error and that are still listed. The set is live:
   * read it before the backfills that retry them start, as they change it.
   */
  failedBackfills(): ReadonlySet<number> {
    for (const id of this.#failed) if (!this.#store.snapshot.channels.has(id)) this.#failed.delete(id);
    return this.#failed;
  }

  /** Every loaded channel's current cursor: take it before delivery may have stopped, pass it to `markRisk`. */
  cursors(): Map<number, number> {
    const cursors = new Map<number, number>();
    for (const channelId of this.#store.snapshot.channels.keys()) {
      const cursor = this.cursor(channelId);
      if (cursor !== null) cursors.set(channelId, cursor);
    }
    return cursors;
  }

  /** How many times delivery became at risk so far: pass it to {@link backfill} from where a heal is asked for. */
  get risks(): number {
    return this.#risks;
  }

  /** Delivery may have stopped after these cursors (now, by default): the next backfills start no later. */
  markRisk(cursors: Map<number, number> = this.cursors()): void {
    this.#risks += 1;
    for (const [channelId, cursor] of cursors) {
      this.#healFrom.set(channelId, Math.min(cursor, this.#healFrom.get(channelId) ?? cursor));
    }
  }

  /** Nothing is missing from the channel any more: no heal point, no failed backfill to retry. */
  #healed(channelId: number): void {
    this.#healFrom.delete(channelId);
    this.#failed.delete(channelId);
  }

  /** Merges a page into the channel's loaded messages. */
  #merge(channelId: number, direction: 'latest' | 'older' | 'newer', page: Page): void {
    this.#store.dispatch({ type: 'history.loaded', channelId, direction, ...page });
  }

  /** Sets a channel's continuity; returns it. */
  #setContinuity(channelId: number, continuity: Continuity): Continuity {
    this.#store.dispatch({ type: 'continuity.changed', channelId, continuity });
    return continuity;
  }
}

/**
 * Runs `task` unless a run under the same key is in `running` (the runs in progress), in which case it joins
 * that run.
 */
export function runOnce<K, T>(running: Map<K, Promise<unknown>>, key: K, task: () => Promise<T>): Promise<T> {
  let run = running.get(key) as Promise<T> | undefined;
  if (!run) {
    run = task().finally(() => running.delete(key));
    running.set(key, run);
  }
  return run;
}

/** A message on the server (the ones a history cursor counts from). */
function isSent(message: Message): boolean {
  return message.status === 'sent' && message.id !== null;
}
