// Derived views of ChatState: unread counts, mentions, channel order. Pure and memoised by input identity.
import type { Channel, ChannelMessages, Message, Unread } from '../types.js';

/**
 * Whether `content` mentions `username`, as osu! clients detect it: case-insensitive, as a whole word, with
 * spaces in the name also matching underscores (and the other way round).
 */
export function mentions(content: string, username: string): boolean {
  if (username === '') return false;
  const pattern = mentionPattern(username);
  return pattern.test(content);
}

const patternCache = new Map<string, RegExp>();

function mentionPattern(username: string): RegExp {
  let pattern = patternCache.get(username);
  if (!pattern) {
    const escaped = username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[ _]/g, '[ _]');
    pattern = new RegExp(`(?<![\\p{L}\\p{N}_])@?${escaped}(?![\\p{L}\\p{N}_])`, 'iu');
    if (patternCache.size > 32) patternCache.clear();
    patternCache.set(username, pattern);
  }
  return pattern;
}

/**
 * Unread state of a channel. `count` is exact when the loaded messages reach back to the read marker (or to
 * the start of the channel), otherwise null and only `hasUnread` is known.
 */
export function computeUnread(
  channel: Channel,
  loaded: ChannelMessages | undefined,
  me: { id: number; username: string } | null,
): Unread {
  const lastReadId = channel.lastReadId;
  const messages = loaded?.messages ?? [];
  let count = 0;
  let mentionCount = 0;
  // Whether the loaded messages reach back to the read marker (or to the start of the channel).
  let reachesMarker = loaded !== undefined && !loaded.hasMore;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i] as Message;
    if (message.status !== 'sent' || message.id === null) continue;
    if (lastReadId !== null && message.id <= lastReadId) {
      reachesMarker = true;
      break;
    }
    if (me && message.senderId === me.id) continue;
    count += 1;
    if (me && mentions(message.content, me.username)) mentionCount += 1;
  }
  return {
    channelId: channel.id,
    lastReadId,
    lastMessageId: channel.lastMessageId,
    count: reachesMarker ? count : null,
    // Short of the marker, the channel's last message id tells what the loaded messages cannot.
    hasUnread: count > 0 || (!reachesMarker && (channel.lastMessageId ?? 0) > (lastReadId ?? 0)),
    mentions: mentionCount,
  };
}

const TYPE_ORDER: Record<string, number> = { PUBLIC: 0, ANNOUNCE: 1, GROUP: 2, TEAM: 3, PM: 4 };

/**
 * Channels in osu-web's order: grouped by type (public, announcements, groups, teams, then PMs), PMs by last
 * message (newest first, drafts on top), every other group by name.
 */
export function sortChannels(channels: Iterable<Channel>): Channel[] {
  return [...channels].sort((a, b) => {
    const ta = TYPE_ORDER[a.type] ?? 5;
    const tb = TYPE_ORDER[b.type] ?? 5;
    if (ta !== tb) return ta - tb;
    if (a.type === 'PM') {
      if (a.draft !== b.draft) return a.draft ? -1 : 1;
      return (b.lastMessageId ?? 0) - (a.lastMessageId ?? 0) || a.id - b.id;
    }
    return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id - b.id;
  });
}

/**
 * The PM channels between exactly these users (in any order), drafts included: a draft and the PM it becomes
 * are recognised by their members, since a draft has no server id.
 */
export function pmsBetween(channels: ReadonlyMap<number, Channel>, userIds: readonly number[]): Channel[] {
  return [...channels.values()].filter(
    (channel) =>
      channel.type === 'PM' &&
      channel.userIds.length === userIds.length &&
      userIds.every((id) => channel.userIds.includes(id)),
  );
}

/** Shallow equality of two arrays by element identity. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * Whether two records of one shape hold the same values: each field identical, or both arrays with the same
 * items. Lets an unchanged channel, user or unread state keep its old object, so nothing re-renders.
 */
export function sameValues<T extends object>(a: T, b: T): boolean {
  for (const key in a) {
    const x: unknown = a[key];
    const y: unknown = b[key];
    if (x !== y && !(Array.isArray(x) && Array.isArray(y) && sameItems(x, y))) return false;
  }
  return true;
}
