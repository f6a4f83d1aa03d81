// The state reducer: (state, batch of actions) → state. Pure from the outside; inside, each touched map and
// each touched channel's message list (and the channel itself) is copied once per batch, so a burst of N
// socket frames costs one copy per channel, not N.
import { messageKey } from '../transport/wire.js';
import type { Channel, ChannelMessages, Message, User } from '../types.js';
import type { ChatAction } from './actions.js';
import {
  type ChatState,
  emptyMessages,
  INITIAL_STATE,
  placeholderChannel,
  type StateOptions,
} from './chatState.js';
import { sameValues } from './selectors.js';
import { WorkingList } from './workingList.js';

/** Applies a batch of actions. Returns the same state object when nothing changed. */
export function reduce(state: ChatState, actions: readonly ChatAction[], options: StateOptions): ChatState {
  if (actions.length === 0) return state;
  const draft = new Draft(state, options);
  for (const action of actions) draft.apply(action);
  return draft.finish();
}

class Draft {
  #me!: User | null;
  #channels!: CopyOnWrite<number, Channel>;
  #messages!: CopyOnWrite<number, ChannelMessages>;
  #users!: CopyOnWrite<number, User>;
  #aliases!: CopyOnWrite<number, number>;
  #leftAt!: CopyOnWrite<number, number>;
  readonly #lists = new Map<number, WorkingList>();
  #reset = false;
  readonly #state: ChatState;
  readonly #options: StateOptions;

  constructor(state: ChatState, options: StateOptions) {
    this.#state = state;
    this.#options = options;
    this.#begin(state);
  }

  /** Starts the batch's working copies from `state`. */
  #begin(state: ChatState): void {
    this.#me = state.me;
    this.#channels = new CopyOnWrite(state.channels);
    this.#messages = new CopyOnWrite(state.messages);
    this.#users = new CopyOnWrite(state.users);
    this.#aliases = new CopyOnWrite(state.aliases);
    this.#leftAt = new CopyOnWrite(state.leftAt);
  }

  #channel(id: number): Channel | undefined {
    return this.#channels.read.get(id);
  }

  #list(channelId: number): WorkingList {
    let list = this.#lists.get(channelId);
    if (list) return list;
    const messages = this.#messages.read;
    list = new WorkingList(messages.get(channelId) ?? emptyMessages(channelId), !messages.has(channelId));
    this.#lists.set(channelId, list);
    return list;
  }

  /** The channel's working list, only when it has messages (in this batch or before): none is created. */
  #existingList(channelId: number): WorkingList | undefined {
    return this.#lists.has(channelId) || this.#messages.read.has(channelId)
      ? this.#list(channelId)
      : undefined;
  }

  #dropList(channelId: number): void {
    this.#lists.delete(channelId);
    this.#messages.delete(channelId);
  }

  // ---- actions ---------------------------------------------------------------------------------------------

  apply(action: ChatAction): void {
    switch (action.type) {
      case 'me':
        this.#me = action.user;
        this.#putUser(action.user);
        return;
      case 'channels.synced':
        this.#syncChannels(action.channels);
        return;
      case 'channel.upserted':
        this.#putChannel(action.channel);
        this.#leftAt.delete(action.channel.id);
        return;
      case 'channel.removed':
        this.#removeChannel(action.channelId, action.at);
        return;
      case 'messages.received':
        for (const user of action.users) this.#putUser(user);
        for (const message of action.messages) this.#receive(message, action.at);
        return;
      case 'history.loaded':
        this.#loadHistory(action);
        return;
      case 'history.loading':
        this.#list(action.channelId).set('loadingOlder', action.loading);
        return;
      case 'older.released':
        // Releasing must not create an empty list.
        this.#existingList(action.channelId)?.set('keepsOlder', false);
        return;
      case 'continuity.changed':
        this.#list(action.channelId).set('continuity', action.continuity);
        return;
      case 'send.pending': {
        const list = this.#list(action.message.channelId);
        // A local id is used once; a repeated one (a retried dispatch) must not duplicate the message.
        const key = action.message.key;
        if (list.hasKey(key)) return;
        list.unsent.push(action.message);
        list.changed = true;
        return;
      }
      case 'send.sent':
        this.#sendSent(action.localId, action.message);
        return;
      case 'send.failed':
        this.#updateUnsent(action.localId, (m) => ({ ...m, status: 'failed', error: action.error }));
        return;
      case 'send.retrying':
        this.#updateUnsent(action.localId, (m) => ({ ...m, status: 'pending', error: null }));
        return;
      case 'send.discarded':
        this.#updateUnsent(action.localId, () => null);
        return;
      case 'users.seen':
        for (const user of action.users) this.#putUser(user);
        return;
      case 'read.marked':
        this.#markRead(action.channelId, action.messageId);
        return;
      case 'users.silenced':
        this.#silence(new Set(action.userIds));
        return;
      case 'draft.created': {
        this.#putChannel(action.channel);
        const list = this.#list(action.channel.id);
        list.set('hasMore', false);
        list.set('loaded', true);
        return;
      }
      case 'draft.promoted':
        this.#promoteDraft(action.draftId, action.channel);
        return;
      case 'reset':
        this.#reset = true;
        // Its maps are never written to (a batch copies before writing), so they can be shared.
        this.#begin(INITIAL_STATE);
        this.#lists.clear();
        return;
    }
  }

  #putUser(user: User): void {
    const existing = this.#users.read.get(user.id);
    if (existing === user || (existing && sameValues(existing, user))) return;
    this.#users.write.set(user.id, user);
  }

  /** Inserts or updates a channel, keeping the old object when nothing changed. */
  #putChannel(incoming: Channel): void {
    const existing = this.#channel(incoming.id);
    const next = existing ? mergeChannel(existing, incoming) : incoming;
    if (next !== existing) this.#channels.write.set(next.id, next);
  }

  #syncChannels(channels: readonly Channel[]): void {
    const keep = new Set(channels.map((c) => c.id));
    for (const [id, channel] of this.#channels.read) {
      if (keep.has(id) || channel.draft) continue;
      this.#channels.delete(id);
      this.#dropList(id);
    }
    for (const channel of channels) this.#putChannel(channel);
  }

  #removeChannel(channelId: number, at: number): void {
    const channel = this.#channel(channelId);
    if (!channel) return;
    this.#channels.delete(channelId);
    this.#dropList(channelId);
    if (channel.type === 'PUBLIC' && channel.loaded) this.#leftAt.write.set(channelId, at);
  }

  #receive(message: Message, at: number): void {
    const channelId = message.channelId;
    if (!this.#channel(channelId)) {
      const left = this.#leftAt.read.get(channelId);
      if (left !== undefined && at - left < this.#options.leftIgnoreMs) return;
      if (left !== undefined) this.#leftAt.delete(channelId);
      this.#channels.write.set(channelId, placeholderChannel(channelId));
    }
    this.#insertSent(this.#list(channelId), message);
  }

  #loadHistory(action: Extract<ChatAction, { type: 'history.loaded' }>): void {
    if (!this.#channel(action.channelId)) return;
    for (const user of action.users) this.#putUser(user);
    const list = this.#list(action.channelId);
    for (const message of action.messages) this.#insertSent(list, message);
    if (action.direction === 'latest') list.set('loaded', true);
    if (action.direction !== 'newer' && action.messages.length === 0) list.set('hasMore', false);
    if (action.direction === 'older') list.set('keepsOlder', true);
  }

  /**
   * Inserts a sent message by id; merges it into the pending one with its `localId` (a duplicate id is dropped).
   * The channel's last message id (and read marker, for the user's own messages) moves once, at `finish`.
   */
  #insertSent(list: WorkingList, message: Message): void {
    let incoming = message;
    let merged = false;
    if (message.localId !== null && list.unsent.length > 0) {
      const index = list.unsent.findIndex((m) => m.localId === message.localId);
      const pending = list.unsent[index];
      if (pending) {
        list.unsent.splice(index, 1);
        list.changed = true;
        incoming = { ...message, key: pending.key };
        merged = true;
      }
    }
    const id = incoming.id as number;
    // Keys name list items (React keys): a uuid seen on another message (a server that echoes one twice, a
    // double post) must not make two items share one. Only a message with a local id has a key of its own.
    if (incoming.localId !== null && incoming.key !== messageKey(id) && list.hasKey(incoming.key)) {
      incoming = { ...incoming, key: messageKey(id) };
    }
    // Already here (a history page without its uuid came first): a pending send becomes that message, keeping
    // its key, so the send neither vanishes nor shows twice.
    if (!list.insert(incoming) && merged) list.replace(incoming);
    // The read marker follows the user's own messages, also one whose id was already here: the server says
    // it is ours now, whatever the copy here said.
    if (this.#me !== null && incoming.senderId === this.#me.id && id > list.ownNewestId)
      list.ownNewestId = id;
  }

  #findUnsent(localId: string): { list: WorkingList; index: number } | undefined {
    for (const [channelId, base] of this.#messages.read) {
      if (this.#lists.has(channelId)) continue;
      if (base.messages.some((m) => m.localId === localId && m.status !== 'sent')) this.#list(channelId);
    }
    for (const list of this.#lists.values()) {
      const index = list.unsent.findIndex((m) => m.localId === localId);
      if (index >= 0) return { list, index };
    }
    return undefined;
  }

  #updateUnsent(localId: string, update: (message: Message) => Message | null): void {
    const found = this.#findUnsent(localId);
    if (!found) return;
    const next = update(found.list.unsent[found.index] as Message);
    if (next) found.list.unsent[found.index] = next;
    else found.list.unsent.splice(found.index, 1);
    found.list.changed = true;
  }

  #sendSent(localId: string, message: Message): void {
    const found = this.#findUnsent(localId);
    const pending = found?.list.unsent[found.index];
    if (found && pending) {
      found.list.unsent.splice(found.index, 1);
      found.list.changed = true;
    }
    if (!this.#channel(message.channelId))
      this.#channels.write.set(message.channelId, placeholderChannel(message.channelId));
    const list = this.#list(message.channelId);
    // Without a pending message the local id may already name a sent one: keys must stay unique.
    const taken = !pending && list.someSent((m) => m.key === localId);
    const sent = {
      ...message,
      localId,
      key: pending?.key ?? (taken ? messageKey(message.id as number) : localId),
    };
    this.#insertSent(list, sent);
  }

  #markRead(channelId: number, messageId: number): void {
    const channel = this.#channel(channelId);
    if (!channel || (channel.lastReadId ?? 0) >= messageId) return;
    this.#channels.write.set(channelId, { ...channel, lastReadId: messageId });
  }

  #silence(userIds: Set<number>): void {
    const silenced = (m: Message) => userIds.has(m.senderId) && m.status === 'sent';
    for (const [channelId, channel] of this.#channels.read) {
      if (channel.type !== 'PUBLIC') continue;
      const list = this.#lists.get(channelId);
      const some = list
        ? list.someSent(silenced)
        : this.#messages.read.get(channelId)?.messages.some(silenced);
      if (!some) continue;
      const working = this.#list(channelId);
      working.replaceSent(working.sent().filter((m) => !userIds.has(m.senderId)));
    }
  }

  #promoteDraft(draftId: number, channel: Channel): void {
    const draftList = this.#existingList(draftId);
    this.#channels.delete(draftId);
    this.#putChannel(channel);
    const list = this.#list(channel.id);
    if (draftList) {
      for (const message of draftList.sent()) this.#insertSent(list, { ...message, channelId: channel.id });
      for (const message of draftList.unsent) list.unsent.push({ ...message, channelId: channel.id });
      list.changed = true;
    }
    this.#dropList(draftId);
    this.#aliases.write.set(draftId, channel.id);
  }

  // ---- finish ----------------------------------------------------------------------------------------------

  finish(): ChatState {
    for (const [channelId, list] of this.#lists) {
      const channel = this.#channel(channelId);
      if (!channel) {
        this.#messages.delete(channelId);
        continue;
      }
      const lastMessageId = Math.max(channel.lastMessageId ?? 0, list.newestId);
      const lastReadId = Math.max(channel.lastReadId ?? 0, list.ownNewestId);
      if (lastMessageId !== (channel.lastMessageId ?? 0) || lastReadId !== (channel.lastReadId ?? 0)) {
        this.#channels.write.set(channelId, {
          ...channel,
          lastMessageId: lastMessageId || channel.lastMessageId,
          lastReadId: lastReadId || channel.lastReadId,
        });
      }
      const messages = list.finish(channelId, this.#options.messageCap);
      if (messages) this.#messages.write.set(channelId, messages);
    }
    const next: ChatState = {
      me: this.#me,
      channels: this.#channels.read,
      messages: this.#messages.read,
      users: this.#users.read,
      aliases: this.#aliases.read,
      leftAt: this.#leftAt.read,
    };
    const unchanged =
      !this.#reset &&
      (Object.keys(next) as (keyof ChatState)[]).every((key) => next[key] === this.#state[key]);
    return unchanged ? this.#state : next;
  }
}

/** A map that is copied on its first write, so that the one it came from stays as it was. */
class CopyOnWrite<K, V> {
  #base: ReadonlyMap<K, V>;
  #copy: Map<K, V> | undefined;

  constructor(base: ReadonlyMap<K, V>) {
    this.#base = base;
  }

  /** The current entries (the original until the first write). */
  get read(): ReadonlyMap<K, V> {
    return this.#copy ?? this.#base;
  }

  /** The map to write to: a copy of the original, made once. */
  get write(): Map<K, V> {
    this.#copy ??= new Map(this.#base);
    return this.#copy;
  }

  /** Deletes a key, copying only when it is there. */
  delete(key: K): void {
    if (this.read.has(key)) this.write.delete(key);
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
  return sameValues(existing, merged) ? existing : merged;
}

function maxId(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
