// Everything that changes chat state, as one discriminated union. The store reduces batches of these.
import type { ChatError } from '../errors.js';
import type { Channel, Continuity, Message, User } from '../types.js';

export type ChatAction =
  /** The signed-in user (from `/me`). */
  | { type: 'me'; user: User }
  /** The authoritative joined-channel list (lazer `chat/updates` presence): replaces the list, keeps drafts. */
  | { type: 'channels.synced'; channels: readonly Channel[] }
  /** A channel joined or refreshed (join response or event, `GET /chat/channels/{id}`, PM creation). */
  | { type: 'channel.upserted'; channel: Channel }
  /** The user left a channel (own part or a `chat.channel.part` event); `at` for the stray-message window. */
  | { type: 'channel.removed'; channelId: number; at: number }
  /** Messages pushed by the socket. Unknown channels get a placeholder; just-left PUBLIC ones are ignored. */
  | { type: 'messages.received'; messages: readonly Message[]; users: readonly User[]; at: number }
  /**
   * A history page. `latest`: the newest page; `older`: an `until` page; `newer`: a `since` page (backfill).
   * An empty `latest`/`older` page means there is nothing older.
   */
  | {
      type: 'history.loaded';
      channelId: number;
      direction: 'latest' | 'older' | 'newer';
      messages: readonly Message[];
      users: readonly User[];
    }
  | { type: 'history.loading'; channelId: number; loading: boolean }
  /** Nobody reads the older pages any more: the cap may evict them again (see `ChannelMessages.keepsOlder`). */
  | { type: 'older.released'; channelId: number }
  | { type: 'continuity.changed'; channelId: number; continuity: Continuity }
  /** A send was queued: the pending message (status `pending`, `localId` set, `id` null). */
  | { type: 'send.pending'; message: Message }
  /** The server has the message (HTTP response or socket echo): it replaces the pending one. */
  | { type: 'send.sent'; localId: string; message: Message }
  | { type: 'send.failed'; localId: string; error: ChatError }
  | { type: 'send.retrying'; localId: string }
  | { type: 'send.discarded'; localId: string }
  /** Users seen outside messages (PM members from `GET /chat/channels/{id}`). */
  | { type: 'users.seen'; users: readonly User[] }
  /** The read marker moved (locally or from the server); it never moves backwards. */
  | { type: 'read.marked'; channelId: number; messageId: number }
  /** These users were silenced: their messages leave PUBLIC channels. */
  | { type: 'users.silenced'; userIds: readonly number[] }
  /** A local draft PM (negative id). */
  | { type: 'draft.created'; channel: Channel }
  /** A draft PM became a real channel: its messages move there and its id becomes an alias. */
  | { type: 'draft.promoted'; draftId: number; channel: Channel }
  /** Forget everything (logout). */
  | { type: 'reset' };
