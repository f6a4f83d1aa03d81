/** Channel types osu-web knows (`Channel::TYPES`). */
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

export const CHANNEL_TYPES: readonly ChannelType[] = [
  'PUBLIC',
  'PRIVATE',
  'MULTIPLAYER',
  'SPECTATOR',
  'TEMPORARY',
  'PM',
  'GROUP',
  'ANNOUNCE',
  'TEAM',
];

/** OAuth scopes that matter to chat (§1.3). */
export type Scope = '*' | 'chat.read' | 'chat.write' | 'chat.write_manage' | 'identify' | (string & {});

/** The scope set a third-party (authorization-code) token gets by default. */
export const THIRD_PARTY_SCOPES: readonly Scope[] = [
  'chat.read',
  'chat.write',
  'chat.write_manage',
  'identify',
];

/** Flags a user can carry; the control API sets them. */
export interface UserFlags {
  restricted: boolean;
  silenced: boolean;
  bot: boolean;
  moderator: boolean;
  announcer: boolean;
  pm_friends_only: boolean;
}

export interface UserRecord extends UserFlags {
  id: number;
  username: string;
  country_code: string;
  is_supporter: boolean;
  friends: Set<number>;
  blocks: Set<number>;
  /** Epoch ms. */
  last_visit: number | null;
}

export interface TokenRecord {
  token: string;
  /** The session key the notification server uses for `logout` (`oauth:<id>`). */
  id: number;
  userId: number;
  scopes: Scope[];
  verified: boolean;
}

export interface ChannelRecord {
  id: number;
  name: string;
  description: string;
  type: ChannelType;
  moderated: boolean;
  lastMessageId: number | null;
}

export interface MembershipRecord {
  userId: number;
  channelId: number;
  lastReadId: number | null;
  hidden: boolean;
}

export interface MessageRecord {
  id: number;
  channelId: number;
  senderId: number;
  content: string;
  isAction: boolean;
  /** Epoch ms, stored at second precision as osu!'s database does. */
  timestamp: number;
}

/** A `user_account_history` row: restriction (1) or silence (2). */
export interface SilenceRecord {
  id: number;
  userId: number;
  banStatus: 1 | 2;
  timestamp: number;
}

/** One of osu!'s chat filters (`chat_filters` table). */
export interface ChatFilter {
  match: string;
  replacement: string;
  block: boolean;
  whitespace_delimited: boolean;
}

/** Tunables, named as the control API names them (windows and timeout in seconds). */
export interface EmulatorConfig {
  chat_public_limit: number;
  chat_public_window: number;
  chat_private_limit: number;
  chat_private_window: number;
  message_length_limit: number;
  public_backlog_hours: number;
  activity_timeout: number;
  /** Requests per minute per token over the whole API group (`API_THROTTLE_GLOBAL`). */
  api_throttle_per_minute: number;
}

/** osu!'s defaults (`config/osu.php`, `Channel::CHAT_ACTIVITY_TIMEOUT`). */
export const DEFAULT_CONFIG: Readonly<EmulatorConfig> = {
  chat_public_limit: 1,
  chat_public_window: 1,
  chat_private_limit: 1,
  chat_private_window: 1,
  message_length_limit: 450,
  public_backlog_hours: 24,
  activity_timeout: 60,
  api_throttle_per_minute: 1200,
};

/** What the world publishes; the socket layer delivers it as osu-notification-server would. */
export type WorldEvent =
  /** A broadcast on Redis channel `private:user:{userId}` (or `notification_read:{userId}`). */
  | { type: 'publish'; userId: number; event: string; data: Record<string, unknown> }
  /** `user_session` logout for one token: its sockets get `{"event":"logout"}` and are closed. */
  | { type: 'logout'; tokenId: number }
  /** `user_session` verified for one token. */
  | { type: 'verified'; tokenId: number };
