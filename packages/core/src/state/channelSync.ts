// The joined-channel list and the channel operations osu! allows a user. Two modes: with a `*` (lazer) token
// the list comes from `GET /chat/updates`; third-party tokens cannot call it, so the list is built from join
// responses, `chat.channel.join/part` events, PM creation and `GET /chat/channels/{id}`.
import { firstValueFrom, race } from 'rxjs';
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
import { placeholderChannel } from './chatState.js';
import { runOnce } from './history.js';
import { pmsBetween } from './selectors.js';
import type { ChatStore } from './store.js';

export interface ChannelSyncOptions {
  store: ChatStore;
  http: ChatHttp;
  clock: Clock;
  onError: (error: ChatError) => void;
  /** Called after a join (the HTTP answer or the join event) so the keepalive acks at once. */
  onJoined: () => void;
  /** Silences that came with `chat/updates`. */
  onSilences: (silences: { id: number; userId: number }[]) => void;
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
    let fresh: (Channel | undefined)[];
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
      fresh = channels;
      if (Array.isArray(json.silences)) {
        this.#options.onSilences(decodeList(json.silences, decodeSilence, this.#onError));
      }
    } else {
      const known = [...this.#store.snapshot.channels.values()].filter((c) => !c.draft);
      fresh = await Promise.all(known.map((channel) => this.fetch(channel.id)));
    }
    const targets = new Map<number, number | null>();
    for (const channel of fresh) if (channel) targets.set(channel.id, channel.lastMessageId);
    return targets;
  }

  /** `GET /chat/channels/{id}`: fills in a channel's details (PM users included); 404 removes it. */
  fetch(channelId: number): Promise<Channel | undefined> {
    return runOnce(this.#fetching, channelId, async () => {
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
      }
    });
  }

  /** Joins a PUBLIC channel. Resolves when the channel is in the list (HTTP answer or join event). */
  async join(channelId: number): Promise<Channel> {
    const me = this.#requireMe();
    const request = this.#http
      .request('PUT', `/chat/channels/${channelId}/users/${me.id}`)
      .then((json) => this.#upsert(decodeChannel(json)));
    // Listed by the HTTP answer or by the join event, whichever comes first; a failed request rejects.
    const channel = await firstValueFrom(
      race(this.#store.loaded$(channelId), new Promise<never>((_, reject) => request.catch(reject))),
    ).catch((error: unknown) => {
      throw asChatError(error, 'network', 'Request failed');
    });
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
    const [existing] = pmsBetween(store.snapshot.channels, [me.id, userId]);
    if (existing) return existing;
    const response = await this.#http.request('POST', '/chat/channels', {
      body: { type: 'PM', target_id: userId },
    });
    const json = expectObject(response, 'channel');
    if (json.channel_id === null) {
      const target = store.snapshot.users.get(userId);
      const draft: Channel = {
        // Nothing on the server yet: no description, no messages, nothing read.
        ...placeholderChannel(-userId),
        name: target?.username ?? `#${userId}`,
        type: 'PM',
        icon: target?.avatarUrl ?? null,
        messageLengthLimit: typeof json.message_length_limit === 'number' ? json.message_length_limit : 450,
        userIds: [Math.min(me.id, userId), Math.max(me.id, userId)],
        canMessage: true,
        draft: true,
        loaded: true,
      };
      store.dispatch({ type: 'draft.created', channel: draft });
      return draft;
    }
    const channel = this.#upsertCreated(json, [me.id, userId]);
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
    const uuid = globalThis.crypto.randomUUID();
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
        .then((response) => this.#upsertCreated(expectObject(response, 'channel')));
      return this.#listed(await Promise.race([viaHttp, viaEvent]));
    } finally {
      this.#announcements.delete(uuid);
    }
  }

  /**
   * A `chat.channel.join` event: upsert, complete a pending announcement with that uuid, and ack at once
   * ({@link ChannelSyncOptions.onJoined}).
   */
  onJoinEvent(channel: Channel, uuid: string | null): void {
    // A PM with the user of a draft is the channel that draft becomes (osu! sends this event before the
    // /chat/new answer): promote it now, or the list would show the draft and the PM side by side.
    // (A draft always lists both users: openPrivateChat makes every draft.)
    const draft =
      channel.type === 'PM' &&
      pmsBetween(this.#store.snapshot.channels, channel.userIds).find((c) => c.draft);
    if (draft) this.#store.dispatch({ type: 'draft.promoted', draftId: draft.id, channel });
    else this.#upsert(channel);
    if (uuid) this.#announcements.get(uuid)?.(channel);
    this.#options.onJoined();
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

  /**
   * Upserts the channel that a create or reopen answered with (its `userIds`, when it lists none, from
   * `userIds`) and the recent messages that came with it.
   */
  #upsertCreated(json: Record<string, unknown>, userIds?: number[]): Channel {
    const decoded = decodeChannel(json);
    const channel = userIds && decoded.userIds.length === 0 ? { ...decoded, userIds } : decoded;
    this.#upsert(channel);
    const recent = json.recent_messages;
    if (Array.isArray(recent)) {
      const senders = recent.flatMap((m: unknown) => (isObject(m) && isObject(m.sender) ? [m.sender] : []));
      this.#store.dispatch({
        type: 'history.loaded',
        channelId: channel.id,
        direction: 'latest',
        messages: decodeList(recent, decodeMessage, this.#onError),
        users: decodeList(senders, decodeUser, this.#onError),
      });
    }
    return channel;
  }

  #requireMe(): User {
    const { me } = this.#store.snapshot;
    if (!me) throw new ChatError('closed', 'Not connected yet: the current user is unknown');
    return me;
  }
}
