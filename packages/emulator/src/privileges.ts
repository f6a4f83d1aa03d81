// Who may do what in chat (§4.1, `OsuAuthorize`), as pure checks over users and channels. Each returns the
// `authorization.*` message that refuses the action (the 403 body and `can_message_error`), or null.
//
// A PM's other member is passed in as `peer`: the world looks it up, and passes undefined when that user is
// missing or restricted (`User::lookup` hides them), which most checks treat as "no such channel".
import { AuthorizationMessage as Msg } from './errors.js';
import type { ChannelRecord, UserRecord } from './types.js';

/** `ChatPmStart`: may `user` start a PM with `target`? (Every PM send checks it again.) */
export function pmStartError(user: UserRecord, target: UserRecord): string | null {
  if (user.restricted || user.silenced) return Msg.restricted;
  if (user.pm_friends_only && !user.friends.has(target.id)) return Msg.receiveFriendsOnly;
  if (user.moderator || user.bot) return null;
  if (user.blocks.has(target.id) || target.blocks.has(user.id)) return Msg.blocked;
  if (target.pm_friends_only && !target.friends.has(user.id)) return Msg.friendsOnly;
  return null;
}

/** `ChatAnnounce`: may `user` create announcements and post in ANNOUNCE channels? */
export function announceError(user: UserRecord): string | null {
  if (!(user.moderator || user.announcer) || user.restricted || user.silenced) return Msg.noAnnounce;
  return null;
}

/** `ChatChannelCanMessage` (`can_message` / `can_message_error`): may `user` post in `channel`, membership aside? */
export function canMessageError(
  user: UserRecord,
  channel: ChannelRecord,
  peer: UserRecord | undefined,
): string | null {
  if (channel.type === 'ANNOUNCE') return announceError(user);
  if (user.restricted || user.silenced) return Msg.restricted;
  if (channel.type === 'PM') return peer ? pmStartError(user, peer) : Msg.noChannel;
  if (user.moderator) return null;
  if (channel.moderated) return Msg.moderated;
  if (channel.type === 'TEMPORARY' && /^#(mp|spect)_/.test(channel.name)) return Msg.noAccess;
  return null;
}

/** `ChatChannelJoin` (§2.8): only PUBLIC channels are open to everyone. */
export function joinError(user: UserRecord, channel: ChannelRecord): string | null {
  if (channel.type === 'PUBLIC') return null;
  if (user.restricted || user.silenced) return Msg.restricted;
  if (channel.type === 'MULTIPLAYER' || channel.type === 'TEAM') return Msg.unauthorized;
  return Msg.noAccess;
}

/** Whether presence lists `channel` for `viewer`: a PM is hidden without a peer, or while the viewer blocks them. */
export function isListedFor(
  channel: ChannelRecord,
  viewer: UserRecord,
  peer: UserRecord | undefined,
): boolean {
  if (channel.type !== 'PM') return true;
  if (!peer) return false;
  // Bots and moderators stay listed even when blocked.
  return !viewer.blocks.has(peer.id) || peer.bot || peer.moderator;
}
