// The state reducer: (state, batch of actions) → state. Pure from the outside; inside, each touched map and
// each touched channel's message list (and the channel itself) is copied once per batch, so a burst of N
// socket frames costs one copy per channel, not N.
import type { Channel, ChannelMessages, Message, User } from '../types.js';
import type { ChatAction } from './actions.js';
import {
  type ChatState,
  emptyMessages,
  INITIAL_STATE,
  placeholderChannel,
  type StateOptions,
} from './chatState.js';
import { WorkingList } from './workingList.js';

/** Applies a batch of actions. Returns the same state object when nothing changed. */
export function reduce(state: ChatState, actions: readonly ChatAction[], options: StateOptions): ChatState {
  if (actions.length === 0) return state;
  const draft = new Draft(state, options);
  for (const action of actions) draft.apply(action);
  return draft.finish();
}

class Draft {
  private channels: Map<number, Channel> | undefined;
  private messages: Map<number, ChannelMessages> | undefined;
  private users: Map<number, User> | undefined;
  private aliases: Map<number, number> | undefined;
  private leftAt: Map<number, number> | undefined;
  private me: User | null;
  private readonly lists = new Map<number, WorkingList>();
  private reset = false;

  constructor(
    private state: ChatState,
    private readonly options: StateOptions,
  ) {
    this.me = state.me;
  }

  // ---- copy-on-write access --------------------------------------------------------------------------------

  private get channelMap(): Map<number, Channel> {
    this.channels ??= new Map(this.state.channels);
    return this.channels;
  }

  private channel(id: number): Channel | undefined {
    return (this.channels ?? this.state.channels).get(id);
  }

  private get messageMap(): Map<number, ChannelMessages> {
    this.messages ??= new Map(this.state.messages);
    return this.messages;
  }

  private get userMap(): Map<number, User> {
    this.users ??= new Map(this.state.users);
    return this.users;
  }

  private get leftMap(): Map<number, number> {
    this.leftAt ??= new Map(this.state.leftAt);
    return this.leftAt;
  }

  private list(channelId: number): WorkingList {
    let list = this.lists.get(channelId);
    if (list) return list;
    const messages = this.messages ?? this.state.messages;
    list = new WorkingList(messages.get(channelId) ?? emptyMessages(channelId), !messages.has(channelId));
    this.lists.set(channelId, list);
    return list;
  }

  private dropList(channelId: number): void {
    this.lists.delete(channelId);
    if ((this.messages ?? this.state.messages).has(channelId)) this.messageMap.delete(channelId);
  }

  // ---- actions ---------------------------------------------------------------------------------------------

  apply(action: ChatAction): void {
    switch (action.type) {
      case 'me':
        this.me = action.user;
        this.putUser(action.user);
        return;
      case 'channels.synced':
        this.syncChannels(action.channels);
        return;
      case 'channel.upserted':
        this.putChannel(action.channel);
        if (this.state.leftAt.has(action.channel.id) || this.leftAt?.has(action.channel.id)) {
          this.leftMap.delete(action.channel.id);
        }
        return;
      case 'channel.removed':
        this.removeChannel(action.channelId, action.at);
        return;
      case 'messages.received':
        for (const user of action.users) this.putUser(user);
        for (const message of action.messages) this.receive(message, action.at);
        return;
      case 'history.loaded':
        this.loadHistory(action);
        return;
      case 'history.loading':
        this.list(action.channelId).set('loadingOlder', action.loading);
        return;
      case 'continuity.changed':
        this.list(action.channelId).set('continuity', action.continuity);
        return;
      case 'send.pending': {
        const list = this.list(action.message.channelId);
        // A local id is used once; a repeated one (a retried dispatch) must not duplicate the message.
        const key = action.message.key;
        if (list.hasKey(key)) return;
        list.unsent.push(action.message);
        list.changed = true;
        return;
      }
      case 'send.sent':
        this.sendSent(action.localId, action.message);
        return;
      case 'send.failed':
        this.updateUnsent(action.localId, (m) => ({ ...m, status: 'failed', error: action.error }));
        return;
      case 'send.retrying':
        this.updateUnsent(action.localId, (m) => ({ ...m, status: 'pending', error: null }));
        return;
      case 'send.discarded':
        this.updateUnsent(action.localId, () => null);
        return;
      case 'users.seen':
        for (const user of action.users) this.putUser(user);
        return;
      case 'read.marked':
        this.markRead(action.channelId, action.messageId);
        return;
      case 'users.silenced':
        this.silence(new Set(action.userIds));
        return;
      case 'draft.created': {
        this.putChannel(action.channel);
        const list = this.list(action.channel.id);
        list.set('hasMore', false);
        list.set('loaded', true);
        return;
      }
      case 'draft.promoted':
        this.promoteDraft(action.draftId, action.channel);
        return;
      case 'reset':
        this.reset = true;
        // Its maps are never written to (a batch copies before writing), so they can be shared.
        this.state = INITIAL_STATE;
        this.channels = this.messages = this.users = this.aliases = this.leftAt = undefined;
        this.me = null;
        this.lists.clear();
        return;
    }
  }

  private putUser(user: User): void {
    const existing = (this.users ?? this.state.users).get(user.id);
    if (existing === user || (existing && sameUser(existing, user))) return;
    this.userMap.set(user.id, user);
  }

  /** Inserts or updates a channel, keeping the old object when nothing changed. */
  private putChannel(incoming: Channel): void {
    const existing = this.channel(incoming.id);
    const next = existing ? mergeChannel(existing, incoming) : incoming;
    if (next !== existing) this.channelMap.set(next.id, next);
  }

  private syncChannels(channels: readonly Channel[]): void {
    const keep = new Set(channels.map((c) => c.id));
    for (const [id, channel] of this.channels ?? this.state.channels) {
      if (keep.has(id) || channel.draft) continue;
      this.channelMap.delete(id);
      this.dropList(id);
    }
    for (const channel of channels) this.putChannel(channel);
  }

  private removeChannel(channelId: number, at: number): void {
    const channel = this.channel(channelId);
    if (!channel) return;
    this.channelMap.delete(channelId);
    this.dropList(channelId);
    if (channel.type === 'PUBLIC' && channel.loaded) this.leftMap.set(channelId, at);
  }

  private receive(message: Message, at: number): void {
    const channelId = message.channelId;
    if (!this.channel(channelId)) {
      const left = (this.leftAt ?? this.state.leftAt).get(channelId);
      if (left !== undefined && at - left < this.options.leftIgnoreMs) return;
      if (left !== undefined) this.leftMap.delete(channelId);
      this.channelMap.set(channelId, placeholderChannel(channelId));
    }
    this.insertSent(this.list(channelId), message);
  }

  private loadHistory(action: Extract<ChatAction, { type: 'history.loaded' }>): void {
    if (!this.channel(action.channelId)) return;
    for (const user of action.users) this.putUser(user);
    const list = this.list(action.channelId);
    for (const message of action.messages) this.insertSent(list, message);
    if (action.direction === 'latest') list.set('loaded', true);
    if (action.direction !== 'newer' && action.messages.length === 0) list.set('hasMore', false);
    if (action.direction === 'older') list.grewOlder = true;
  }

  /**
   * Inserts a sent message by id; merges it into the pending one with its `localId`. False for a duplicate.
   * The channel's last message id (and read marker, for the user's own messages) moves once, at `finish`.
   */
  private insertSent(list: WorkingList, message: Message): boolean {
    let incoming = message;
    if (message.localId !== null && list.unsent.length > 0) {
      const index = list.unsent.findIndex((m) => m.localId === message.localId);
      const pending = list.unsent[index];
      if (pending) {
        list.unsent.splice(index, 1);
        list.changed = true;
        incoming = { ...message, key: pending.key };
      }
    }
    const id = incoming.id as number;
    // Keys name list items (React keys): a uuid seen on another message (a server that echoes one twice, a
    // double post) must not make two items share one.
    // Only a message with a local id (or uuid) has a key of its own.
    if (incoming.localId !== null && incoming.key !== `m${id}` && list.hasKey(incoming.key)) {
      incoming = { ...incoming, key: `m${id}` };
    }
    if (!list.insert(incoming)) return false;
    if (this.me !== null && incoming.senderId === this.me.id && id > list.ownNewestId) list.ownNewestId = id;
    return true;
  }

  private findUnsent(localId: string): { list: WorkingList; index: number } | undefined {
    for (const [channelId, base] of this.messages ?? this.state.messages) {
      if (this.lists.has(channelId)) continue;
      if (base.messages.some((m) => m.localId === localId && m.status !== 'sent')) this.list(channelId);
    }
    for (const list of this.lists.values()) {
      const index = list.unsent.findIndex((m) => m.localId === localId);
      if (index >= 0) return { list, index };
    }
    return undefined;
  }

  private updateUnsent(localId: string, update: (message: Message) => Message | null): void {
    const found = this.findUnsent(localId);
    if (!found) return;
    const next = update(found.list.unsent[found.index] as Message);
    if (next) found.list.unsent[found.index] = next;
    else found.list.unsent.splice(found.index, 1);
    found.list.changed = true;
  }

  private sendSent(localId: string, message: Message): void {
    const found = this.findUnsent(localId);
    const pending = found?.list.unsent[found.index];
    if (found && pending) {
      found.list.unsent.splice(found.index, 1);
      found.list.changed = true;
    }
    if (!this.channel(message.channelId))
      this.channelMap.set(message.channelId, placeholderChannel(message.channelId));
    const list = this.list(message.channelId);
    // Without a pending message the local id may already name a sent one: keys must stay unique.
    const taken = !pending && list.someSent((m) => m.key === localId);
    const sent = { ...message, localId, key: pending?.key ?? (taken ? `m${message.id}` : localId) };
    this.insertSent(list, sent);
  }

  private markRead(channelId: number, messageId: number): void {
    const channel = this.channel(channelId);
    if (!channel || (channel.lastReadId ?? 0) >= messageId) return;
    this.channelMap.set(channelId, { ...channel, lastReadId: messageId });
  }

  private silence(userIds: Set<number>): void {
    const silenced = (m: Message) => userIds.has(m.senderId) && m.status === 'sent';
    for (const [channelId, channel] of this.channels ?? this.state.channels) {
      if (channel.type !== 'PUBLIC') continue;
      const list = this.lists.get(channelId);
      const some = list
        ? list.someSent(silenced)
        : (this.messages ?? this.state.messages).get(channelId)?.messages.some(silenced);
      if (!some) continue;
      const working = this.list(channelId);
      working.replaceSent(working.sent().filter((m) => !userIds.has(m.senderId)));
    }
  }

  private promoteDraft(draftId: number, channel: Channel): void {
    const draftList =
      this.lists.has(draftId) || (this.messages ?? this.state.messages).has(draftId)
        ? this.list(draftId)
        : undefined;
    this.channelMap.delete(draftId);
    this.putChannel(channel);
    const list = this.list(channel.id);
    if (draftList) {
      for (const message of draftList.sent()) this.insertSent(list, { ...message, channelId: channel.id });
      for (const message of draftList.unsent) list.unsent.push({ ...message, channelId: channel.id });
      list.changed = true;
    }
    this.dropList(draftId);
    this.aliases ??= new Map(this.state.aliases);
    this.aliases.set(draftId, channel.id);
  }

  // ---- finish ----------------------------------------------------------------------------------------------

  finish(): ChatState {
    for (const [channelId, list] of this.lists) {
      const channel = this.channel(channelId);
      if (!channel) {
        if ((this.messages ?? this.state.messages).has(channelId)) this.messageMap.delete(channelId);
        continue;
      }
      const lastMessageId = Math.max(channel.lastMessageId ?? 0, list.newestId);
      const lastReadId = Math.max(channel.lastReadId ?? 0, list.ownNewestId);
      if (lastMessageId !== (channel.lastMessageId ?? 0) || lastReadId !== (channel.lastReadId ?? 0)) {
        this.channelMap.set(channelId, {
          ...channel,
          lastMessageId: lastMessageId || channel.lastMessageId,
          lastReadId: lastReadId || channel.lastReadId,
        });
      }
      const messages = list.finish(channelId, this.options.messageCap);
      if (messages) this.messageMap.set(channelId, messages);
    }
    const next: ChatState = {
      me: this.me,
      channels: this.channels ?? this.state.channels,
      messages: this.messages ?? this.state.messages,
      users: this.users ?? this.state.users,
      aliases: this.aliases ?? this.state.aliases,
      leftAt: this.leftAt ?? this.state.leftAt,
    };
    const s = this.state;
    const unchanged =
      !this.reset &&
      next.me === s.me &&
      next.channels === s.channels &&
      next.messages === s.messages &&
      next.users === s.users &&
      next.aliases === s.aliases &&
      next.leftAt === s.leftAt;
    return unchanged ? s : next;
  }
}

/** Merges a fresh channel into the known one; fields the fresh one lacks (nulls) keep their known values. */
function mergeChannel(existing: Channel, incoming: Channel): Channel {
  const merged: Channel = {
    ...incoming,
    name: incoming.name || existing.name,
    icon: incoming.icon ?? existing.icon,
    userIds: incoming.userIds.length > 0 ? incoming.userIds : existing.userIds,
    canMessage: incoming.canMessage ?? existing.canMessage,
    canMessageError: incoming.canMessage === null ? existing.canMessageError : incoming.canMessageError,
    lastMessageId: maxId(existing.lastMessageId, incoming.lastMessageId),
    lastReadId: maxId(existing.lastReadId, incoming.lastReadId),
  };
  return sameChannel(existing, merged) ? existing : merged;
}

function maxId(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function sameChannel(a: Channel, b: Channel): boolean {
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.type === b.type &&
    a.icon === b.icon &&
    a.messageLengthLimit === b.messageLengthLimit &&
    a.moderated === b.moderated &&
    a.canMessage === b.canMessage &&
    a.canMessageError === b.canMessageError &&
    a.lastMessageId === b.lastMessageId &&
    a.lastReadId === b.lastReadId &&
    a.draft === b.draft &&
    a.loaded === b.loaded &&
    a.userIds.length === b.userIds.length &&
    a.userIds.every((id, i) => b.userIds[i] === id)
  );
}

function sameUser(a: User, b: User): boolean {
  return (
    a.username === b.username &&
    a.avatarUrl === b.avatarUrl &&
    a.countryCode === b.countryCode &&
    a.isBot === b.isBot &&
    a.isOnline === b.isOnline &&
    a.isSupporter === b.isSupporter &&
    a.profileColour === b.profileColour &&
    a.pmFriendsOnly === b.pmFriendsOnly
  );
}
