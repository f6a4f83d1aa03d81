// Server JSON → domain types. Everything from the server is untrusted: a malformed payload throws
// ChatError('protocol') here, at the edge, never deep inside a reducer.
import { asChatError, ChatError } from '../errors.js';
import type { Channel, ChannelType, Message, User } from '../types.js';

const CHANNEL_TYPES = new Set<string>([
  'PUBLIC',
  'PRIVATE',
  'MULTIPLAYER',
  'SPECTATOR',
  'TEMPORARY',
  'PM',
  'GROUP',
  'ANNOUNCE',
  'TEAM',
]);

type Json = Record<string, unknown>;

function bad(what: string): never {
  throw new ChatError('protocol', `Malformed ${what} from the server`);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as a JSON object; anything else throws a `protocol` error, `Malformed {what} from the server`. */
export function expectObject(value: unknown, what: string): Json {
  if (!isObject(value)) bad(what);
  return value;
}

/** A positive safe integer: the shape of every osu! id. */
export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function id(value: unknown, what: string): number {
  if (!isId(value)) bad(what);
  return value;
}

function optionalId(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : id(value, what);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') bad(what);
  return value;
}

function optionalText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Users decoded lately, by id; emptied when it reaches {@link RECENT_USERS} entries. */
const recentUsers = new Map<number, User>();
const RECENT_USERS = 512;

/**
 * osu!'s UserCompact → User. Every chat frame carries its sender, so a burst decodes the same users again and
 * again: an unchanged user decodes to the object decoded last time (nothing allocated, and the store sees the
 * same object). Users are values, so sharing them between clients is harmless.
 */
export function decodeUser(json: unknown): User {
  if (!isObject(json)) bad('user');
  const known = recentUsers.get(json.id as number);
  if (known && decodesTo(json, known)) return known;
  const user: User = {
    id: id(json.id, 'user id'),
    username: text(json.username, 'username'),
    avatarUrl: optionalText(json.avatar_url),
    countryCode: optionalText(json.country_code) ?? '',
    isBot: json.is_bot === true,
    isOnline: json.is_online === true,
    isSupporter: json.is_supporter === true,
    profileColour: optionalText(json.profile_colour),
    pmFriendsOnly: json.pm_friends_only === true,
  };
  if (recentUsers.size >= RECENT_USERS) recentUsers.clear();
  recentUsers.set(user.id, user);
  return user;
}

/** Whether `decodeUser(json)` would build a copy of `user` (field by field, as it reads them). */
function decodesTo(json: Json, user: User): boolean {
  return (
    user.username === json.username &&
    user.avatarUrl === optionalText(json.avatar_url) &&
    user.countryCode === (optionalText(json.country_code) ?? '') &&
    user.isBot === (json.is_bot === true) &&
    user.isOnline === (json.is_online === true) &&
    user.isSupporter === (json.is_supporter === true) &&
    user.profileColour === optionalText(json.profile_colour) &&
    user.pmFriendsOnly === (json.pm_friends_only === true)
  );
}

let lastTime = '';
let lastTimeMs = Number.NaN;

/**
 * `YYYY-MM-DDTHH:MM:SSZ` (or any ISO 8601) → epoch ms. osu!'s timestamps have second precision, so a burst
 * repeats one string many times: the last one parsed is remembered.
 */
function time(value: unknown): number {
  if (value === lastTime) return lastTimeMs;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) bad('timestamp');
  lastTime = value as string;
  lastTimeMs = ms;
  return ms;
}

/**
 * The list key of a message the server sent without a uuid: its id as a string. Unique within a channel, as ids
 * are, and unlike a uuid only digits. Cheap on the ingest path: a prefixed key (`m123`) converts the number and
 * then builds a second string, a few per cent of the engine's CPU in the ingest benchmark (paired runs: 0.975).
 */
export function messageKey(id: number): string {
  return String(id);
}

/**
 * osu!'s ChatMessage → Message. `localId` is the `uuid` osu! echoes for our own sends (only on the send
 * response and its socket echo).
 */
export function decodeMessage(json: unknown): Message {
  if (!isObject(json)) bad('message');
  const messageId = id(json.message_id, 'message id');
  const isAction = json.is_action === true;
  const type = json.type === 'action' || json.type === 'markdown' ? json.type : isAction ? 'action' : 'plain';
  const uuid = typeof json.uuid === 'string' && json.uuid !== '' ? json.uuid : null;
  return {
    key: uuid ?? messageKey(messageId),
    id: messageId,
    channelId: id(json.channel_id, 'message channel id'),
    senderId: id(json.sender_id, 'message sender id'),
    content: text(json.content, 'message content'),
    isAction,
    timestamp: time(json.timestamp),
    type,
    status: 'sent',
    localId: uuid,
    error: null,
  };
}

/** osu!'s ChatChannel (with or without LISTING_INCLUDES) → Channel. */
export function decodeChannel(json: unknown): Channel {
  if (!isObject(json)) bad('channel');
  // Not a string is not a channel type either.
  const type = json.type as string;
  if (!CHANNEL_TYPES.has(type)) bad('channel type');
  const attributes = isObject(json.current_user_attributes) ? json.current_user_attributes : null;
  const users = Array.isArray(json.users)
    ? json.users.filter((u): u is number => Number.isSafeInteger(u))
    : [];
  const lastReadId = optionalId(attributes?.last_read_id ?? json.last_read_id, 'last_read_id');
  return {
    id: id(json.channel_id, 'channel id'),
    name: text(json.name, 'channel name'),
    description: optionalText(json.description) ?? '',
    type: type as ChannelType,
    icon: optionalText(json.icon),
    messageLengthLimit:
      typeof json.message_length_limit === 'number' && json.message_length_limit > 0
        ? json.message_length_limit
        : 450,
    moderated: json.moderated === true,
    userIds: users,
    canMessage: typeof attributes?.can_message === 'boolean' ? attributes.can_message : null,
    canMessageError: optionalText(attributes?.can_message_error),
    lastMessageId: optionalId(json.last_message_id, 'last_message_id'),
    lastReadId,
    draft: false,
    loaded: true,
  };
}

/** Decodes an array, dropping (and reporting) malformed items instead of failing the whole list. */
export function decodeList<T>(
  json: unknown,
  decode: (item: unknown) => T,
  onError: (error: ChatError) => void,
): T[] {
  if (!Array.isArray(json)) bad('list');
  const result: T[] = [];
  for (const item of json) {
    try {
      result.push(decode(item));
    } catch (error) {
      onError(asChatError(error, 'protocol', 'Malformed item from the server'));
    }
  }
  return result;
}

/** A UserSilence `{id, user_id}`. */
export interface Silence {
  id: number;
  userId: number;
}

export function decodeSilence(json: unknown): Silence {
  if (!isObject(json)) bad('silence');
  return { id: id(json.id, 'silence id'), userId: id(json.user_id, 'silence user id') };
}
