// History: the newest page, older pages (`until`), and backfill (`since`) that heals a channel after a window
// in which the socket may have missed messages. Only an empty page means "nothing more" (osu! filters pages
// after the limit, so short pages are normal).
import { ChatError } from '../errors.js';
import type { ChatHttp } from '../transport/http.js';
import { decodeList, decodeMessage, decodeUser, isObject } from '../transport/wire.js';
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
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly options: HistoryOptions) {}

  /** Fetches one page: `since` (oldest after an id), `until` (newest before an id) or the newest. */
  async page(channelId: number, query: { since?: number; until?: number }): Promise<Page> {
    const json = await this.options.http.request<unknown>('GET', `/chat/channels/${channelId}/messages`, {
      query: { limit: PAGE_SIZE, return_object: 1, ...query },
    });
    if (!isObject(json)) throw new ChatError('protocol', 'Malformed history page from the server');
    const messages = decodeList(json.messages, decodeMessage, this.options.onError);
    const users = Array.isArray(json.users) ? decodeList(json.users, decodeUser, this.options.onError) : [];
    // A page is ascending by id; keep only this channel's messages whatever the server sent.
    return { messages: messages.filter((m) => m.channelId === channelId), users };
  }

  /** Loads the newest page of a channel (once at a time per channel). */
  loadLatest(channelId: number): Promise<void> {
    return this.once(`latest:${channelId}`, async () => {
      const page = await this.page(channelId, {});
      this.options.store.dispatch({ type: 'history.loaded', channelId, direction: 'latest', ...page });
    });
  }

  /** Loads the page before the oldest loaded message; `hasMore` turns false on an empty page. */
  loadOlder(channelId: number): Promise<void> {
    return this.once(`older:${channelId}`, async () => {
      const { store } = this.options;
      const loaded = store.snapshot.messages.get(channelId);
      const oldest = loaded?.messages.find((m) => m.status === 'sent' && m.id !== null);
      if (!oldest) return this.loadLatest(channelId);
      if (!loaded?.hasMore) return;
      store.dispatch({ type: 'history.loading', channelId, loading: true });
      try {
        const page = await this.page(channelId, { until: oldest.id as number });
        store.dispatch({ type: 'history.loaded', channelId, direction: 'older', ...page });
      } finally {
        store.dispatch({ type: 'history.loading', channelId, loading: false });
      }
    });
  }

  /**
   * Heals a channel: pages `since` its newest loaded message until an empty page or `targetId` is reached,
   * merging as it goes while live messages keep arriving. Sets continuity `recovering` → `live`, or `gap`
   * when the page budget runs out. Returns the final continuity.
   */
  backfill(channelId: number, targetId: number | null = null): Promise<Continuity> {
    return this.once(`backfill:${channelId}`, async () => {
      const { store } = this.options;
      let cursor = newestSentId(store, channelId);
      if (cursor === null) return 'live';
      if (targetId !== null && cursor >= targetId) return 'live';
      store.dispatch({ type: 'continuity.changed', channelId, continuity: 'recovering' });
      let continuity: Continuity = 'gap';
      try {
        for (let pages = 0; pages < this.options.maxBackfillPages; pages += 1) {
          const page = await this.page(channelId, { since: cursor });
          if (!store.snapshot.channels.has(channelId)) return 'live';
          if (page.messages.length > 0) {
            store.dispatch({ type: 'history.loaded', channelId, direction: 'newer', ...page });
            cursor = (page.messages[page.messages.length - 1] as Message).id as number;
          }
          if (page.messages.length === 0 || (targetId !== null && cursor >= targetId)) {
            continuity = 'live';
            break;
          }
        }
      } catch (error) {
        // Left as `gap`: the next risk window or reconnect tries again.
        this.options.onError(error instanceof ChatError ? error : new ChatError('network', 'Backfill failed'));
      }
      if (store.snapshot.channels.has(channelId)) {
        store.dispatch({ type: 'continuity.changed', channelId, continuity });
      }
      return continuity;
    });
  }

  /** Runs `task` unless the same one is already running, in which case it joins that run. */
  private once<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const promise = task().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}

/** The newest sent message id loaded for a channel, or null. */
export function newestSentId(store: ChatStore, channelId: number): number | null {
  const messages = store.snapshot.messages.get(channelId)?.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i] as Message;
    if (message.status === 'sent' && message.id !== null) return message.id;
  }
  return null;
}
