// The world's records and every change to them that needs no permission check: users and tokens, channels and
// memberships, committing a message with its fan-out (§5.5); plus lookups and channels as a viewer sees them.
// `World` (world.ts) extends it with the API's request rules: one object, split in two files for size only.
// Nothing here touches the network; every time-dependent rule reads `clock`.
import { ChannelActivity } from './channelActivity.js';
import type { Clock } from './clock.js';
import { isUserCommand, processContent } from './content.js';
import { getOrCreate } from './getOrCreate.js';
import { MessageLog } from './messageLog.js';
import { Notifications } from './notifications.js';
import { announceError, canMessageError } from './privileges.js';
import { channelBase, deletedUser, messageJson, type RenderContext, userCompact } from './render.js';
import { Silences } from './silences.js';
import { SendThrottle } from './throttle.js';
import { accessToken } from './tokens.js';
import {
  type ChannelRecord,
  type ChannelType,
  type ChatFilter,
  DEFAULT_CONFIG,
  type EmulatorConfig,
  type MembershipRecord,
  type MessageRecord,
  type Scope,
  type SilenceRecord,
  type TokenRecord,
  type UserFlags,
  type UserRecord,
  type WorldEvent,
} from './types.js';

const ANNOUNCE_MESSAGE_LENGTH_LIMIT = 1024;

export class WorldState {
  config: EmulatorConfig = { ...DEFAULT_CONFIG };
  /** Set by the HTTP layer once the server is listening, for avatar URLs. */
  origin = 'http://127.0.0.1';
  filters: ChatFilter[] = [];

  readonly users = new Map<number, UserRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly channels = new Map<number, ChannelRecord>();
  /** channelId → userId → membership. */
  readonly members = new Map<number, Map<number, MembershipRecord>>();
  /** userId → channel ids with a membership row (hidden or not). */
  protected readonly userChannels = new Map<number, Set<number>>();
  protected readonly messageLog = new MessageLog();
  protected readonly activity: ChannelActivity;
  protected readonly throttle: SendThrottle;
  protected readonly silences: Silences;
  protected readonly notifications: Notifications;

  private readonly listeners = new Set<(event: WorldEvent) => void>();
  /** userId → open sockets. */
  private readonly online = new Map<number, number>();
  protected nextIds = { user: 2, token: 1, channel: 1, message: 1 };

  constructor(readonly clock: Clock) {
    this.activity = new ChannelActivity(clock, () => this.config);
    this.throttle = new SendThrottle(clock, () => this.config);
    this.silences = new Silences(clock, this.messageLog);
    this.notifications = new Notifications(this, clock, (userId, event, data) =>
      this.publish(userId, event, data),
    );
  }

  // ---- plumbing -------------------------------------------------------------------------------------------

  /** Subscribes to everything the world publishes. Returns the unsubscribe function. */
  subscribe(listener: (event: WorldEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: WorldEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  protected publish(userId: number, event: string, data: Record<string, unknown>): void {
    this.emit({ type: 'publish', userId, event, data });
  }

  /** The socket layer reports connected users so `is_online` is true while a socket is open. */
  setOnline(userId: number, delta: 1 | -1): void {
    const count = (this.online.get(userId) ?? 0) + delta;
    if (count > 0) this.online.set(userId, count);
    else this.online.delete(userId);
  }

  protected get ctx(): RenderContext {
    return { origin: this.origin, isOnline: (id) => this.online.has(id) };
  }

  /** Empties the world (ids restart at their first values). Listeners and config are kept. */
  clear(): void {
    for (const map of [this.users, this.tokens, this.channels, this.members, this.userChannels]) map.clear();
    this.messageLog.clear();
    this.activity.clear();
    this.throttle.clear();
    this.silences.clear();
    this.notifications.clear();
    this.filters = [];
    this.online.clear();
    this.nextIds = { user: 2, token: 1, channel: 1, message: 1 };
  }

  // ---- lookups --------------------------------------------------------------------------------------------

  findUserByName(username: string): UserRecord | undefined {
    const wanted = username.toLowerCase().replaceAll(' ', '_');
    for (const user of this.users.values()) {
      if (user.username.toLowerCase().replaceAll(' ', '_') === wanted) return user;
    }
    return undefined;
  }

  membership(channelId: number, userId: number): MembershipRecord | undefined {
    return this.members.get(channelId)?.get(userId);
  }

  messagesOf(channelId: number): readonly MessageRecord[] {
    return this.messageLog.inChannel(channelId);
  }

  get messageCount(): number {
    return this.messageLog.count;
  }

  /** The two user ids of a PM, parsed from `#pm_{low}-{high}`. */
  pmUserIds(channel: ChannelRecord): [number, number] {
    const match = /^#pm_(\d+)-(\d+)$/.exec(channel.name);
    return match ? [Number(match[1]), Number(match[2])] : [0, 0];
  }

  private pmOther(channel: ChannelRecord, userId: number): UserRecord | undefined {
    const [a, b] = this.pmUserIds(channel);
    return this.users.get(a === userId ? b : a);
  }

  /** A PM's other member as `User::lookup` finds them: undefined when missing or restricted, or not a PM. */
  protected pmPeer(channel: ChannelRecord, userId: number): UserRecord | undefined {
    return channel.type === 'PM' ? this.visibleUser(this.pmOther(channel, userId)?.id ?? null) : undefined;
  }

  /** `User::default()` / `User::lookup`: users that are not restricted. */
  protected visibleUser(userId: number | null): UserRecord | undefined {
    const user = userId === null ? undefined : this.users.get(userId);
    return user && !user.restricted ? user : undefined;
  }

  messageLengthLimit(channel: Pick<ChannelRecord, 'type'>): number {
    return channel.type === 'ANNOUNCE' ? ANNOUNCE_MESSAGE_LENGTH_LIMIT : this.config.message_length_limit;
  }

  // ---- rendering -------------------------------------------------------------------------------------------

  /** ChatChannel base fields as `viewerId` sees them: a PM is named and pictured after the other member. */
  protected baseFor(channel: ChannelRecord, viewerId: number, uuid?: string | null) {
    let name = channel.name;
    let icon: string | null = null;
    if (channel.type === 'PM') {
      const other = this.pmOther(channel, viewerId);
      name = other?.username ?? name;
      icon = other ? `${this.origin}/_emulator/avatars/${other.id}.svg` : null;
    }
    return channelBase(channel, { name, icon, messageLengthLimit: this.messageLengthLimit(channel), uuid });
  }

  /** ChatChannel + LISTING_INCLUDES, as seen by `viewer`. */
  listingJson(channel: ChannelRecord, viewer: UserRecord, uuid?: string | null) {
    const lastReadId = this.membership(channel.id, viewer.id)?.lastReadId ?? null;
    const canMessage = canMessageError(viewer, channel, this.pmPeer(channel, viewer.id));
    return {
      ...this.baseFor(channel, viewer.id, uuid),
      current_user_attributes: {
        can_list_users: channel.type === 'ANNOUNCE' && announceError(viewer) === null,
        can_message: canMessage === null,
        can_message_error: canMessage,
        last_read_id: lastReadId,
      },
      last_read_id: lastReadId,
      last_message_id: channel.lastMessageId,
      users: channel.type === 'PM' ? this.pmUserIds(channel) : [],
    };
  }

  protected withSender(message: MessageRecord, channel: ChannelRecord, uuid?: string | null) {
    const sender = this.users.get(message.senderId);
    return messageJson(message, channel.type, {
      uuid,
      sender: sender ? userCompact(this.ctx, sender) : deletedUser(message.senderId),
    });
  }

  /** A stored message with its `sender`, as history renders it. */
  messageWithSender(message: MessageRecord) {
    const channel = this.channels.get(message.channelId);
    return channel ? this.withSender(message, channel) : messageJson(message, 'PUBLIC');
  }

  userJson(user: UserRecord) {
    return userCompact(this.ctx, user);
  }

  // ---- memberships and channels ----------------------------------------------------------------------------

  /** `Channel::addUser`: creates or unhides a membership and emits `chat.channel.join`; a no-op if visible. */
  addUser(channel: ChannelRecord, user: UserRecord, uuid?: string | null): void {
    if (channel.type === 'PUBLIC') this.activity.ack(channel.id, user.id);
    const existing = this.membership(channel.id, user.id);
    if (existing && !existing.hidden) return;
    if (existing) existing.hidden = false;
    else this.insertMembership(channel.id, user.id, false);
    this.publish(user.id, 'chat.channel.join', this.listingJson(channel, user, uuid));
  }

  /** A membership row without any event (seeds and the control API). */
  insertMembership(channelId: number, userId: number, hidden: boolean): MembershipRecord {
    const membership: MembershipRecord = { userId, channelId, lastReadId: null, hidden };
    getOrCreate(this.members, channelId, () => new Map()).set(userId, membership);
    getOrCreate(this.userChannels, userId, () => new Set()).add(channelId);
    return membership;
  }

  /** `Channel::removeUser`: PM and ANNOUNCE memberships are hidden, others deleted; emits `chat.channel.part`. */
  removeUser(channel: ChannelRecord, user: UserRecord): void {
    const membership = this.membership(channel.id, user.id);
    if (!membership) return;
    if (channel.type === 'PM' || channel.type === 'ANNOUNCE') {
      // Already hidden: `Channel::removeUser` returns without a second part event.
      if (membership.hidden) return;
      membership.hidden = true;
    } else {
      this.members.get(channel.id)?.delete(user.id);
      this.userChannels.get(user.id)?.delete(channel.id);
    }
    this.publish(user.id, 'chat.channel.part', this.listingJson(channel, user));
  }

  createChannel(fields: {
    name: string;
    type: ChannelType;
    description?: string;
    moderated?: boolean;
  }): ChannelRecord {
    const channel: ChannelRecord = {
      id: this.nextIds.channel++,
      name: fields.name,
      description: fields.description ?? '',
      type: fields.type,
      moderated: fields.moderated ?? false,
      lastMessageId: null,
    };
    this.channels.set(channel.id, channel);
    this.messageLog.addChannel(channel.id);
    return channel;
  }

  /** `Channel::createPM`: both users join, each gets `chat.channel.join`. */
  createPm(a: UserRecord, b: UserRecord): ChannelRecord {
    const channel = this.createChannel({ name: pmChannelName(a.id, b.id), type: 'PM' });
    this.addUser(channel, a);
    this.addUser(channel, b);
    return channel;
  }

  // ---- users and tokens (no permission checks) ------------------------------------------------------------

  createUser(fields: { username: string } & Partial<UserFlags>): UserRecord {
    const user: UserRecord = {
      id: this.nextIds.user++,
      username: fields.username,
      restricted: fields.restricted ?? false,
      silenced: fields.silenced ?? false,
      bot: fields.bot ?? false,
      moderator: fields.moderator ?? false,
      announcer: fields.announcer ?? false,
      pm_friends_only: fields.pm_friends_only ?? false,
      country_code: 'AU',
      is_supporter: false,
      friends: new Set(),
      blocks: new Set(),
      last_visit: this.clock.now(),
    };
    this.users.set(user.id, user);
    if (user.restricted) this.addSilence(user.id, 1);
    if (user.silenced) this.addSilence(user.id, 2);
    return user;
  }

  /** Applies flags; turning `restricted` or `silenced` on records a silence row as osu! does. */
  updateUser(user: UserRecord, flags: Partial<UserFlags>): UserRecord {
    if (flags.restricted && !user.restricted) this.addSilence(user.id, 1);
    if (flags.silenced && !user.silenced) this.addSilence(user.id, 2);
    Object.assign(user, flags);
    return user;
  }

  /** Records a `user_account_history` row when a user is restricted (1) or silenced (2) (§3.5). */
  addSilence(userId: number, banStatus: 1 | 2): SilenceRecord {
    return this.silences.add(userId, banStatus);
  }

  createToken(userId: number, scopes: Scope[], verified = true): TokenRecord {
    const id = this.nextIds.token++;
    const record: TokenRecord = {
      token: accessToken(id, userId, scopes, this.clock.now()),
      id,
      userId,
      scopes,
      verified,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  /** `Token::revoke`: the token stops working and its sockets get `logout`. */
  revokeToken(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    this.tokens.delete(token);
    this.emit({ type: 'logout', tokenId: record.id });
    return true;
  }

  /** Marks a token's session verified; its sockets get `{"event":"verified"}`. */
  verifyToken(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    record.verified = true;
    this.emit({ type: 'verified', tokenId: record.id });
    return true;
  }

  // ---- committing a message (§4.2, §5.5) -------------------------------------------------------------------

  /** Trim + CR/LF folding (not for ANNOUNCE), blank check, chat filters, length limit (§4.2 step 5). */
  processContent(channel: Pick<ChannelRecord, 'type'>, raw: string): string {
    return processContent(channel, raw, {
      filters: this.filters,
      lengthLimit: this.messageLengthLimit(channel),
    });
  }

  /** Inserts a processed message and performs every side effect of a successful send. */
  commitMessage(
    channel: ChannelRecord,
    sender: UserRecord,
    fields: { content: string; isAction: boolean; uuid: string | null; timestamp: number },
  ): MessageRecord {
    const message: MessageRecord = {
      id: this.nextIds.message++,
      channelId: channel.id,
      senderId: sender.id,
      content: fields.content,
      isAction: fields.isAction,
      timestamp: Math.floor(fields.timestamp / 1000) * 1000,
    };
    this.messageLog.append(message);
    channel.lastMessageId = message.id;
    const own = this.membership(channel.id, sender.id);
    if (own) own.lastReadId = Math.max(own.lastReadId ?? 0, message.id);
    if (channel.type === 'PM' || channel.type === 'ANNOUNCE') {
      for (const membership of this.members.get(channel.id)?.values() ?? []) membership.hidden = false;
    }
    const userCommand = isUserCommand(message.content);
    if (!userCommand) this.notifications.dispatch(channel, sender, message);
    this.broadcastMessage(channel, sender, message, fields.uuid, userCommand);
    return message;
  }

  /** `ChatMessageEvent` recipients (§5.5). */
  private broadcastMessage(
    channel: ChannelRecord,
    sender: UserRecord,
    message: MessageRecord,
    uuid: string | null,
    userCommand: boolean,
  ): void {
    let recipients: Iterable<number>;
    if (userCommand) recipients = [sender.id];
    else if (channel.type === 'PUBLIC') recipients = this.activity.activeUserIds(channel.id);
    else if (channel.type === 'PM') recipients = new Set(this.pmUserIds(channel));
    else recipients = this.members.get(channel.id)?.keys() ?? [];
    const data = {
      messages: [messageJson(message, channel.type, { uuid })],
      users: [userCompact(this.ctx, sender)],
    };
    for (const userId of recipients) this.publish(userId, 'chat.message.new', data);
  }
}

/** `#pm_{low}-{high}`. */
export function pmChannelName(a: number, b: number): string {
  return `#pm_${Math.min(a, b)}-${Math.max(a, b)}`;
}
