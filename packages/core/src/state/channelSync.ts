// The joined-channel list and the channel operations osu! allows a user. Two modes: with a `*` (lazer) token
// the list comes from `GET /chat/updates`; third-party tokens cannot call it, so the list is built from join
// responses, `chat.channel.join/part` events, PM creation and `GET /chat/channels/{id}`.
import { filter, firstValueFrom, map, race, take } from 'rxjs';
import { ChatError } from '../errors.js';
import type { ChatHttp } from '../transport/http.js';
import {
  decodeChannel,
  decodeList,
  decodeMessage,
  decodeSilence,
  decodeUser,
  isObject,
} from '../transport/wire.js';
import type { Channel, Clock, User } from '../types.js';
import type { ChatStore } from './store.js';

export interface ChannelSyncOptions {
  store: ChatStore;
  http: ChatHttp;
  clock: Clock;
  onError: (error: ChatError) => void;
  me: () => User | null;
  /** Called after a join so the keepalive acks at once. */
  onJoined: () => void;
  /** Silences that came with `chat/updates`. */
  onSilences: (silences: { id: number; userId: number }[]) => void;
  createLocalId: () => string;
}

export class ChannelSync {
  private readonly fetching = new Map<number, Promise<Channel | undefined>>();
  /** Announcement creations waiting for their `chat.channel.join` (by request uuid). */
  private readonly announcements = new Map<string, (channel: Channel) => void>();

  constructor(private readonly options: ChannelSyncOptions) {}

  /**
   * Refreshes the channel list after the socket became live. Returns each channel's last message id as the
   * server sees it now, for backfill targets.
   */
  async refresh(mode: 'lazer' | 'thirdParty', cursors: { since: number; historySince: number | null }) {
    const targets = new Map<number, number | null>();
    if (mode === 'lazer') {
      const json = await this.options.http.request<unknown>('GET', '/chat/updates', {
        query: {
          since: cursors.since,
          history_since: cursors.historySince ?? undefined,
          includes: ['presence', 'silences'],
        },
      });
      if (!isObject(json)) throw new ChatError('protocol', 'Malformed chat/updates response from the server');
      const channels = decodeList(json.presence ?? [], decodeChannel, this.options.onError);
      this.options.store.dispatch({ type: 'channels.synced', channels });
      for (const channel of channels) targets.set(channel.id, channel.lastMessageId);
      if (Array.isArray(json.silences)) {
        this.options.onSilences(decodeList(json.silences, decodeSilence, this.options.onError));
      }
    } else {
      const known = [...this.options.store.snapshot.channels.values()].filter((c) => !c.draft);
      await Promise.all(
        known.map(async (channel) => {
          const fresh = await this.fetch(channel.id);
          if (fresh) targets.set(fresh.id, fresh.lastMessageId);
        }),
      );
    }
    return targets;
  }

  /** `GET /chat/channels/{id}`: fills in a channel's details (PM users included); 404 removes it. */
  fetch(channelId: number): Promise<Channel | undefined> {
    let running = this.fetching.get(channelId);
    if (running) return running;
    running = (async () => {
      try {
        const json = await this.options.http.request<unknown>('GET', `/chat/channels/${channelId}`);
        if (!isObject(json)) throw new ChatError('protocol', 'Malformed channel from the server');
        const channel = decodeChannel(json.channel);
        const users = Array.isArray(json.users)
          ? decodeList(json.users, decodeUser, this.options.onError)
          : [];
        if (users.length > 0) this.options.store.dispatch({ type: 'users.seen', users });
        this.options.store.dispatch({ type: 'channel.upserted', channel });
        return channel;
      } catch (error) {
        const chatError = asChatError(error);
        if (chatError.status === 404) {
          this.options.store.dispatch({ type: 'channel.removed', channelId, at: this.options.clock.now() });
        } else {
          this.options.onError(chatError);
        }
        return undefined;
      } finally {
        this.fetching.delete(channelId);
      }
    })();
    this.fetching.set(channelId, running);
    return running;
  }

  /** Joins a PUBLIC channel. Resolves when the channel is in the list (HTTP answer or join event). */
  async join(channelId: number): Promise<Channel> {
    const me = this.requireMe();
    const http = this.options.http
      .request<unknown>('PUT', `/chat/channels/${channelId}/users/${me.id}`)
      .then((json) => {
        this.options.store.dispatch({ type: 'channel.upserted', channel: decodeChannel(json) });
      });
    const channel = await this.whenListed(channelId, http);
    this.options.onJoined();
    return channel;
  }

  /** Leaves a channel (osu! hides PMs and announcements; they come back when a message arrives). */
  async leave(channelId: number): Promise<void> {
    const me = this.requireMe();
    const channel = this.options.store.snapshot.channels.get(channelId);
    if (channel?.draft) {
      this.options.store.dispatch({ type: 'channel.removed', channelId, at: this.options.clock.now() });
      return;
    }
    await this.options.http.request('DELETE', `/chat/channels/${channelId}/users/${me.id}`);
    this.options.store.dispatch({ type: 'channel.removed', channelId, at: this.options.clock.now() });
  }

  /**
   * Opens a PM with a user: the existing channel (rejoined if it was hidden), or a local draft whose first
   * message creates it.
   */
  async openPrivateChat(userId: number): Promise<Channel> {
    const me = this.requireMe();
    if (userId === me.id) throw new ChatError('invalid', "You can't message yourself");
    const { store } = this.options;
    const existing = [...store.snapshot.channels.values()].find(
      (c) => c.type === 'PM' && c.userIds.includes(userId) && c.userIds.includes(me.id),
    );
    if (existing) return existing;
    const json = await this.options.http.request<unknown>('POST', '/chat/channels', {
      body: { type: 'PM', target_id: userId },
    });
    if (!isObject(json)) throw new ChatError('protocol', 'Malformed channel from the server');
    if (json.channel_id === null) {
      const target = store.snapshot.users.get(userId);
      const draft: Channel = {
        id: -userId,
        name: target?.username ?? `#${userId}`,
        description: '',
        type: 'PM',
        icon: target?.avatarUrl ?? null,
        messageLengthLimit: typeof json.message_length_limit === 'number' ? json.message_length_limit : 450,
        moderated: false,
        userIds: [Math.min(me.id, userId), Math.max(me.id, userId)],
        canMessage: true,
        canMessageError: null,
        lastMessageId: null,
        lastReadId: null,
        draft: true,
        loaded: true,
      };
      store.dispatch({ type: 'draft.created', channel: draft });
      return draft;
    }
    const decoded = decodeChannel(json);
    const channel: Channel = decoded.userIds.length > 0 ? decoded : { ...decoded, userIds: [me.id, userId] };
    store.dispatch({ type: 'channel.upserted', channel });
    this.storeRecentMessages(channel.id, json);
    void this.fetch(channel.id);
    return store.snapshot.channels.get(channel.id) ?? channel;
  }

  /** Creates an announcement channel (for users allowed to announce). Resolves when it is in the list. */
  async createAnnouncement(input: {
    name: string;
    description: string;
    userIds: readonly number[];
    message: string;
  }): Promise<Channel> {
    const uuid = this.options.createLocalId();
    let fromEvent: ((channel: Channel) => void) | undefined;
    const viaEvent = new Promise<Channel>((resolve) => {
      fromEvent = resolve;
    });
    this.announcements.set(uuid, fromEvent as (channel: Channel) => void);
    try {
      const viaHttp = this.options.http
        .request<unknown>('POST', '/chat/channels', {
          body: {
            type: 'ANNOUNCE',
            channel: { name: input.name, description: input.description },
            target_ids: input.userIds,
            message: input.message,
            uuid,
          },
        })
        .then((json) => {
          const channel = decodeChannel(json);
          this.options.store.dispatch({ type: 'channel.upserted', channel });
          if (isObject(json)) this.storeRecentMessages(channel.id, json);
          return channel;
        });
      const channel = await Promise.race([viaHttp, viaEvent]);
      return this.options.store.snapshot.channels.get(channel.id) ?? channel;
    } finally {
      this.announcements.delete(uuid);
    }
  }

  /** A `chat.channel.join` event: upsert, and complete a pending announcement with that uuid. */
  onJoinEvent(channel: Channel, uuid: string | null): void {
    // A PM with the user of a draft is the channel that draft becomes (osu! sends this event before the
    // /chat/new answer): promote it now, or the list would show the draft and the PM side by side.
    const draft = channel.type === 'PM' ? this.draftOf(channel) : undefined;
    this.options.store.dispatch(
      draft ? { type: 'draft.promoted', draftId: draft.id, channel } : { type: 'channel.upserted', channel },
    );
    if (uuid) this.announcements.get(uuid)?.(channel);
  }

  private draftOf(pm: Channel): Channel | undefined {
    for (const channel of this.options.store.snapshot.channels.values()) {
      const sameUsers = channel.userIds.length > 0 && channel.userIds.every((id) => pm.userIds.includes(id));
      if (channel.draft && sameUsers) return channel;
    }
    return undefined;
  }

  /** `GET /chat/channels`: every PUBLIC channel (the directory to join from). */
  async publicChannels(): Promise<Channel[]> {
    const json = await this.options.http.request<unknown>('GET', '/chat/channels');
    return decodeList(json, decodeChannel, this.options.onError);
  }

  private storeRecentMessages(channelId: number, json: Record<string, unknown>): void {
    if (!Array.isArray(json.recent_messages)) return;
    const messages = decodeList(json.recent_messages, decodeMessage, this.options.onError);
    const users = json.recent_messages
      .map((m: unknown) => (isObject(m) && isObject(m.sender) ? m.sender : null))
      .filter((u): u is Record<string, unknown> => u !== null);
    this.options.store.dispatch({
      type: 'history.loaded',
      channelId,
      direction: 'latest',
      messages,
      users: decodeList(users, decodeUser, this.options.onError),
    });
  }

  /** Resolves with the channel once it is listed, or rejects with the request's error. */
  private whenListed(channelId: number, request: Promise<void>): Promise<Channel> {
    const listed$ = this.options.store.state$.pipe(
      map((state) => state.channels.get(channelId)),
      filter((channel): channel is Channel => channel?.loaded === true),
      take(1),
    );
    return firstValueFrom(race(listed$, new Promise<never>((_, reject) => request.catch(reject)))).then(
      (channel) => channel,
      (error: unknown) => {
        throw asChatError(error);
      },
    );
  }

  private requireMe(): User {
    const me = this.options.me();
    if (!me) throw new ChatError('closed', 'Not connected yet: the current user is unknown');
    return me;
  }
}

function asChatError(error: unknown): ChatError {
  return error instanceof ChatError ? error : new ChatError('network', 'Request failed', { cause: error });
}
