// The joined-channel list and the channel operations osu! allows a user. Two modes: with a `*` (lazer) token
// the list comes from `GET /chat/updates`; third-party tokens cannot call it, so the list is built from join
// responses, `chat.channel.join/part` events, PM creation and `GET /chat/channels/{id}`.
import { filter, firstValueFrom, map, race, take } from 'rxjs';
import { asChatError, ChatError } from '../errors.js';
import type { ChatHttp } from '../transport/http.js';
import {
  decodeChannel,
  decodeList,
  decodeMessage,
  decodeSilence,
  decodeUser,
  expectObject,
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
  readonly #options: ChannelSyncOptions;
  readonly #store: ChatStore;
  readonly #http: ChatHttp;
  readonly #onError: (error: ChatError) => void;
  readonly #fetching = new Map<number, Promise<Channel | undefined>>();
  /** Announcement creations waiting for their `chat.channel.join` (by request uuid). */
  readonly #announcements = new Map<string, (channel: Channel) => void>();

  constructor(options: ChannelSyncOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#http = options.http;
    this.#onError = options.onError;
  }

  /**
   * Refreshes the channel list after the socket became live. Returns each channel's last message id as the
   * server sees it now, for backfill targets.
   */
  async refresh(mode: 'lazer' | 'thirdParty', cursors: { since: number; historySince: number | null }) {
    const targets = new Map<number, number | null>();
    if (mode === 'lazer') {
      const response = await this.#http.request('GET', '/chat/updates', {
        query: {
          since: cursors.since,
          history_since: cursors.historySince ?? undefined,
          includes: ['presence', 'silences'],
        },
      });
      const json = expectObject(response, 'chat/updates response');
      const channels = decodeList(json.presence ?? [], decodeChannel, this.#onError);
      this.#store.dispatch({ type: 'channels.synced', channels });
      for (const channel of channels) targets.set(channel.id, channel.lastMessageId);
      if (Array.isArray(json.silences)) {
        this.#options.onSilences(decodeList(json.silences, decodeSilence, this.#onError));
      }
    } else {
      const known = [...this.#store.snapshot.channels.values()].filter((c) => !c.draft);
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
    let running = this.#fetching.get(channelId);
    if (running) return running;
    running = (async () => {
      try {
        const json = expectObject(await this.#http.request('GET', `/chat/channels/${channelId}`), 'channel');
        const channel = decodeChannel(json.channel);
        const users = Array.isArray(json.users) ? decodeList(json.users, decodeUser, this.#onError) : [];
        if (users.length > 0) this.#store.dispatch({ type: 'users.seen', users });
        this.#upsert(channel);
        return channel;
      } catch (error) {
        const chatError = asChatError(error, 'network', 'Request failed');
        if (chatError.status === 404) this.#remove(channelId);
        else this.#onError(chatError);
        return undefined;
      } finally {
        this.#fetching.delete(channelId);
      }
    })();
    this.#fetching.set(channelId, running);
    return running;
  }

  /** Joins a PUBLIC channel. Resolves when the channel is in the list (HTTP answer or join event). */
  async join(channelId: number): Promise<Channel> {
    const me = this.#requireMe();
    const request = this.#http
      .request('PUT', `/chat/channels/${channelId}/users/${me.id}`)
      .then((json) => this.#upsert(decodeChannel(json)));
    const channel = await this.#whenListed(channelId, request);
    this.#options.onJoined();
    return channel;
  }

  /** Leaves a channel (osu! hides PMs and announcements; they come back when a message arrives). */
  async leave(channelId: number): Promise<void> {
    const me = this.#requireMe();
    // A draft exists only here: there is nothing to leave on the server.
    if (!this.#store.snapshot.channels.get(channelId)?.draft) {
      await this.#http.request('DELETE', `/chat/channels/${channelId}/users/${me.id}`);
    }
    this.#remove(channelId);
  }

  /**
   * Opens a PM with a user: the existing channel (rejoined if it was hidden), or a local draft whose first
   * message creates it.
   */
  async openPrivateChat(userId: number): Promise<Channel> {
    const me = this.#requireMe();
    if (userId === me.id) throw new ChatError('invalid', "You can't message yourself");
    const store = this.#store;
    const existing = [...store.snapshot.channels.values()].find(
      (c) => c.type === 'PM' && c.userIds.includes(userId) && c.userIds.includes(me.id),
    );
    if (existing) return existing;
    const response = await this.#http.request('POST', '/chat/channels', {
      body: { type: 'PM', target_id: userId },
    });
    const json = expectObject(response, 'channel');
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
    this.#upsertWithRecent(channel, json);
    const listed = this.#listed(channel);
    void this.fetch(channel.id);
    return listed;
  }

  /** Creates an announcement channel (for users allowed to announce). Resolves when it is in the list. */
  async createAnnouncement(input: {
    name: string;
    description: string;
    userIds: readonly number[];
    message: string;
  }): Promise<Channel> {
    const uuid = this.#options.createLocalId();
    const viaEvent = new Promise<Channel>((resolve) => this.#announcements.set(uuid, resolve));
    try {
      const viaHttp = this.#http
        .request('POST', '/chat/channels', {
          body: {
            type: 'ANNOUNCE',
            channel: { name: input.name, description: input.description },
            target_ids: input.userIds,
            message: input.message,
            uuid,
          },
        })
        .then((response) => {
          const json = expectObject(response, 'channel');
          const channel = decodeChannel(json);
          this.#upsertWithRecent(channel, json);
          return channel;
        });
      return this.#listed(await Promise.race([viaHttp, viaEvent]));
    } finally {
      this.#announcements.delete(uuid);
    }
  }

  /** A `chat.channel.join` event: upsert, and complete a pending announcement with that uuid. */
  onJoinEvent(channel: Channel, uuid: string | null): void {
    // A PM with the user of a draft is the channel that draft becomes (osu! sends this event before the
    // /chat/new answer): promote it now, or the list would show the draft and the PM side by side.
    const draft = channel.type === 'PM' ? this.#draftOf(channel) : undefined;
    if (draft) this.#store.dispatch({ type: 'draft.promoted', draftId: draft.id, channel });
    else this.#upsert(channel);
    if (uuid) this.#announcements.get(uuid)?.(channel);
  }

  #draftOf(pm: Channel): Channel | undefined {
    for (const channel of this.#store.snapshot.channels.values()) {
      const sameUsers = channel.userIds.length > 0 && channel.userIds.every((id) => pm.userIds.includes(id));
      if (channel.draft && sameUsers) return channel;
    }
    return undefined;
  }

  /** `GET /chat/channels`: every PUBLIC channel (the directory to join from). */
  async publicChannels(): Promise<Channel[]> {
    return decodeList(await this.#http.request('GET', '/chat/channels'), decodeChannel, this.#onError);
  }

  #upsert(channel: Channel): void {
    this.#store.dispatch({ type: 'channel.upserted', channel });
  }

  #remove(channelId: number): void {
    this.#store.dispatch({ type: 'channel.removed', channelId, at: this.#options.clock.now() });
  }

  /** The channel as listed now (the store merges what it knew), or `channel` itself when it is not listed. */
  #listed(channel: Channel): Channel {
    return this.#store.snapshot.channels.get(channel.id) ?? channel;
  }

  /** Upserts a channel that a create or reopen answered with, and the recent messages that came with it. */
  #upsertWithRecent(channel: Channel, json: Record<string, unknown>): void {
    this.#upsert(channel);
    const recent = json.recent_messages;
    if (!Array.isArray(recent)) return;
    const messages = decodeList(recent, decodeMessage, this.#onError);
    const senders = recent.flatMap((m: unknown) => (isObject(m) && isObject(m.sender) ? [m.sender] : []));
    this.#store.dispatch({
      type: 'history.loaded',
      channelId: channel.id,
      direction: 'latest',
      messages,
      users: decodeList(senders, decodeUser, this.#onError),
    });
  }

  /** Resolves with the channel once it is listed, or rejects with the request's error. */
  #whenListed(channelId: number, request: Promise<void>): Promise<Channel> {
    const listed$ = this.#store.state$.pipe(
      map((state) => state.channels.get(channelId)),
      filter((channel): channel is Channel => channel?.loaded === true),
      take(1),
    );
    return firstValueFrom(race(listed$, new Promise<never>((_, reject) => request.catch(reject)))).catch(
      (error: unknown) => {
        throw asChatError(error, 'network', 'Request failed');
      },
    );
  }

  #requireMe(): User {
    const me = this.#options.me();
    if (!me) throw new ChatError('closed', 'Not connected yet: the current user is unknown');
    return me;
  }
}
