// JSON shapes of §3, rendered from world records. Field order follows the spec's tables.
import type { ChannelRecord, MessageRecord, SilenceRecord, UserRecord } from './types.js';

/** `YYYY-MM-DDTHH:MM:SSZ`, as `getJsonTimeFast` renders message timestamps (§1.8). */
export function messageTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** ISO 8601 ATOM with `+00:00`, as `json_time` renders user and notification times (§1.8). */
export function atomTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}+00:00`;
}

export interface RenderContext {
  /** Origin the emulator is reachable at, for avatar URLs. */
  origin: string;
  isOnline(userId: number): boolean;
}

export function avatarUrl(ctx: RenderContext, userId: number): string {
  return `${ctx.origin}/_emulator/avatars/${userId}.svg`;
}

/** UserCompact base fields (§3.3). */
export function userCompact(ctx: RenderContext, user: UserRecord) {
  return {
    avatar_url: avatarUrl(ctx, user.id),
    country_code: user.country_code,
    default_group: user.bot ? 'bot' : user.moderator ? 'gmt' : 'default',
    id: user.id,
    is_active: true,
    is_bot: user.bot,
    is_deleted: false,
    is_online: ctx.isOnline(user.id),
    is_supporter: user.is_supporter,
    last_visit: user.last_visit === null ? null : atomTime(user.last_visit),
    pm_friends_only: user.pm_friends_only,
    profile_colour: user.moderator ? '#99EB47' : null,
    username: user.username,
  };
}

/** What a message's `sender` renders as once its user no longer exists. */
export function deletedUser(id: number) {
  return {
    avatar_url: null,
    country_code: '',
    default_group: 'default',
    id,
    is_active: false,
    is_bot: false,
    is_deleted: true,
    is_online: false,
    is_supporter: false,
    last_visit: null,
    pm_friends_only: false,
    profile_colour: null,
    username: '[deleted user]',
  };
}

const MODERATOR_GROUP = {
  colour: '#99EB47',
  has_listing: true,
  has_playmodes: false,
  id: 4,
  identifier: 'gmt',
  is_probationary: false,
  name: 'Global Moderation Team',
  short_name: 'GMT',
  playmodes: null,
};

/** UserCompact plus the card includes `GET /chat/channels/{id}` adds (`country, cover, groups, team`). */
export function userCard(ctx: RenderContext, user: UserRecord) {
  return {
    ...userCompact(ctx, user),
    country: { code: user.country_code, name: countryName(user.country_code) },
    cover: { custom_url: null, url: `${ctx.origin}/_emulator/covers/${user.id}.svg`, id: '1' },
    groups: user.moderator ? [MODERATOR_GROUP] : [],
    team: null,
  };
}

function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** ChatChannel base fields (§3.1). `name` and `icon` are per viewer for PMs. */
export function channelBase(
  channel: ChannelRecord,
  view: { name: string; icon: string | null; messageLengthLimit: number; uuid?: string | null },
) {
  return {
    channel_id: channel.id,
    name: view.name,
    description: channel.description,
    icon: view.icon,
    type: channel.type,
    message_length_limit: view.messageLengthLimit,
    moderated: channel.moderated,
    uuid: view.uuid ?? null,
  };
}

/** `POST /chat/channels` for a PM that does not exist yet (§2.6): a blank channel that was never saved. */
export function unsavedChannelJson(messageLengthLimit: number) {
  return {
    channel_id: null,
    name: null,
    description: '',
    icon: null,
    type: null,
    message_length_limit: messageLengthLimit,
    moderated: false,
    uuid: null,
    recent_messages: [],
  };
}

/** ChatMessage (§3.2). `uuid` only when the send supplied one; `sender` only when included. */
export function messageJson(
  message: MessageRecord,
  channelType: string,
  extra: { uuid?: string | null; sender?: unknown } = {},
) {
  const json: Record<string, unknown> = {
    message_id: message.id,
    channel_id: message.channelId,
    sender_id: message.senderId,
    content: message.content,
    is_action: message.isAction,
    timestamp: messageTime(message.timestamp),
    type: message.isAction ? 'action' : channelType === 'ANNOUNCE' ? 'markdown' : 'plain',
  };
  if (extra.uuid != null) json.uuid = extra.uuid;
  if (extra.sender !== undefined) json.sender = extra.sender;
  return json;
}

/** UserSilence (§3.5). */
export function silenceJson(silence: SilenceRecord) {
  return { id: silence.id, user_id: silence.userId };
}
