// Domain types: what the engine exposes. Server JSON is decoded into these at the edge (transport/wire.ts).
import type { ChatError } from './errors.js';

/** Channel types osu! knows. */
export type ChannelType =
  | 'PUBLIC'
  | 'PRIVATE'
  | 'MULTIPLAYER'
  | 'SPECTATOR'
  | 'TEMPORARY'
  | 'PM'
  | 'GROUP'
  | 'ANNOUNCE'
  | 'TEAM';

/** A user as chat shows them (osu!'s UserCompact, trimmed to what chat needs). */
export interface User {
  readonly id: number;
  readonly username: string;
  readonly avatarUrl: string | null;
  readonly countryCode: string;
  readonly isBot: boolean;
  readonly isOnline: boolean;
  readonly isSupporter: boolean;
  readonly profileColour: string | null;
  readonly pmFriendsOnly: boolean;
}

/**
 * A channel the user is in (or a draft PM, or a public channel from the directory). Immutable: a change makes
 * a new object, an unchanged channel keeps its identity.
 */
export interface Channel {
  /** osu!'s channel id; negative for a local draft PM that has no server channel yet. */
  readonly id: number;
  /** For a PM, the other user's name. */
  readonly name: string;
  readonly description: string;
  readonly type: ChannelType;
  /** For a PM, the other user's avatar. */
  readonly icon: string | null;
  readonly messageLengthLimit: number;
  readonly moderated: boolean;
  /** For a PM, both user ids; `[]` for other types. */
  readonly userIds: readonly number[];
  /** Whether the current user may send here, and why not (osu!'s `can_message_error`); null when unknown. */
  readonly canMessage: boolean | null;
  readonly canMessageError: string | null;
  readonly lastMessageId: number | null;
  readonly lastReadId: number | null;
  /** True for a draft PM (`openPrivateChat` to someone with no PM yet); its first message creates it. */
  readonly draft: boolean;
  /** False while only the id is known (a message arrived for it); details are being fetched. */
  readonly loaded: boolean;
}

/** Where a message stands: `sent` (on the server), `pending` (being sent), `failed` (see `error`). */
export type MessageStatus = 'sent' | 'pending' | 'failed';

/** A chat message. Immutable; `key` is stable across pending → sent, so lists keep their items. */
export interface Message {
  /** Stable identity for lists: the local id for the user's own sends, else the message id as a string. */
  readonly key: string;
  /** osu!'s global message id; null until the server has it. */
  readonly id: number | null;
  readonly channelId: number;
  readonly senderId: number;
  readonly content: string;
  readonly isAction: boolean;
  /** Epoch milliseconds (osu! gives second precision). */
  readonly timestamp: number;
  readonly type: 'action' | 'markdown' | 'plain';
  readonly status: MessageStatus;
  /** The local id of a send made by this client (its `uuid` on the wire); null for others' messages. */
  readonly localId: string | null;
  readonly error: ChatError | null;
}

/** How far a channel's loaded messages can be trusted to be complete up to now. */
export type Continuity = 'live' | 'recovering' | 'gap';

/** The loaded messages of one channel and what is known about the rest. */
export interface ChannelMessages {
  readonly channelId: number;
  /** Sent messages ascending by id, then pending and failed ones in send order. */
  readonly messages: readonly Message[];
  /** Whether the newest page was loaded (false while only live messages or nothing are known). */
  readonly loaded: boolean;
  /** Whether older messages may exist on the server (false only after an empty `until` page). */
  readonly hasMore: boolean;
  readonly loadingOlder: boolean;
  /**
   * Whether the older pages `loadOlder` brought are kept past the message cap: while the channel's messages are
   * observed, live messages grow the list instead of evicting what the reader scrolled back to. When the last
   * observer leaves (or when nobody observed the load), the cap applies again at the next live message.
   */
  readonly keepsOlder: boolean;
  readonly continuity: Continuity;
}

/** Unread state of one channel. */
export interface Unread {
  readonly channelId: number;
  readonly lastReadId: number | null;
  readonly lastMessageId: number | null;
  /** Messages after `lastReadId`, when the loaded messages reach back that far; otherwise null. */
  readonly count: number | null;
  readonly hasUnread: boolean;
  /** Loaded unread messages that mention the current user. */
  readonly mentions: number;
}

/** Unread state over every channel. */
export interface UnreadSummary {
  /** Channels with unread messages. */
  readonly unreadChannels: number;
  /** Loaded unread messages that mention the user, over every channel. */
  readonly mentions: number;
}

/** The session machine's state, as users see it. */
export type ConnectionStatus =
  | 'idle'
  | 'connecting'
  | 'live'
  | 'reconnecting'
  | 'offline'
  | 'unauthorized'
  | 'loggedOut';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** The machine's full state value, e.g. `connecting.awaitingReady`, for devtools. */
  readonly detail: string;
  /** The signed-in user, once `/me` answered. */
  readonly user: User | null;
  /** `lazer` with a `*` token (channel list from `/chat/updates`), `thirdParty` otherwise. */
  readonly mode: 'lazer' | 'thirdParty' | null;
  /** Consecutive failed attempts since the last `connection.ready`. */
  readonly attempt: number;
  /** When the next reconnect attempt starts (epoch ms), while waiting. */
  readonly nextRetryAt: number | null;
  /** The error that caused the current (re)connect or terminal state. */
  readonly error: ChatError | null;
}

/** Something observable that can also be read synchronously: what UI bindings use. */
export interface Readable<T> {
  getSnapshot(): T;
  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** A source of time; injectable so tests can move it. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
