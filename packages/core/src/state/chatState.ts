// The shape of the engine's state. Immutable: each reduced batch makes new objects only for what changed.
import type { Channel, ChannelMessages, User } from '../types.js';

export interface ChatState {
  readonly me: User | null;
  /** Channels the user is in, drafts, and placeholders for channels known only by id. */
  readonly channels: ReadonlyMap<number, Channel>;
  /** Loaded messages per channel (only for channels that have some or were loaded). */
  readonly messages: ReadonlyMap<number, ChannelMessages>;
  /** Users seen as senders or channel members. */
  readonly users: ReadonlyMap<number, User>;
  /** Draft PM id → the real channel id it became. */
  readonly aliases: ReadonlyMap<number, number>;
  /** PUBLIC channels the user left → when (epoch ms); stray messages for them are ignored for a while. */
  readonly leftAt: ReadonlyMap<number, number>;
}

export interface StateOptions {
  /** Sent messages kept per channel before the oldest are evicted (pending and failed are never evicted). */
  messageCap: number;
  /** How long stray messages for a just-left PUBLIC channel are ignored (osu!'s activity timeout). */
  leftIgnoreMs: number;
}

export const INITIAL_STATE: ChatState = {
  me: null,
  channels: new Map(),
  messages: new Map(),
  users: new Map(),
  aliases: new Map(),
  leftAt: new Map(),
};

/** The messages entry of a channel nobody loaded yet. */
export function emptyMessages(channelId: number): ChannelMessages {
  return {
    channelId,
    messages: [],
    loaded: false,
    hasMore: true,
    loadingOlder: false,
    keepsOlder: false,
    continuity: 'live',
  };
}

/** A channel known only by id (a message arrived for it); the client fetches its details. */
export function placeholderChannel(channelId: number): Channel {
  return {
    id: channelId,
    name: '',
    description: '',
    type: 'PUBLIC',
    icon: null,
    messageLengthLimit: 450,
    moderated: false,
    userIds: [],
    canMessage: null,
    canMessageError: null,
    lastMessageId: null,
    lastReadId: null,
    draft: false,
    loaded: false,
  };
}
