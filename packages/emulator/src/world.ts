// The emulator's state and osu!'s chat rules (§2, §4, §5.5, §6). HTTP, socket and control layers call into
// this; it never touches the network. Every time-dependent rule reads `this.clock`.
import type { Clock } from './clock.js';
import { fail, HttpError, AuthorizationMessage as Msg, notFound } from './errors.js';
import {
  channelBase,
  messageJson,
  type RenderContext,
  silenceJson,
  userCard,
  userCompact,
} from './render.js';
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

/** Who is making a request: the token's user and the token itself. */
export interface Actor {
  user: UserRecord;
  token: TokenRecord;
}

const ANNOUNCE_MESSAGE_LENGTH_LIMIT = 1024;
const MAX_NAME_LENGTH = 50;
const MAX_DESCRIPTION_LENGTH = 255;
const PRESENCE_LIMIT = 10_000;
const SILENCE_WINDOW_MS = 3_600_000;
const SILENCE_LIMIT = 100;
const HISTORY_PAGE = 50;
const RECENT_MESSAGES = 50;
/** `^![^ !]`: "user command" messages, delivered and shown only to their sender. */
const USER_COMMAND = /^![^ !]/;

export type Listing = ReturnType<World['listingJson']>;

export class World {
  config: EmulatorConfig = { ...DEFAULT_CONFIG };
  /** Set by the HTTP layer once the server is listening, for avatar URLs. */
  origin = 'http://127.0.0.1';

  readonly users = new Map<number, UserRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly channels = new Map<number, ChannelRecord>();
  /** channelId → userId → membership. */
  readonly members = new Map<number, Map<number, MembershipRecord>>();
  /** userId → channel ids with a membership row (hidden or not). */
  private readonly userChannels = new Map<number, Set<number>>();
  /** channelId → messages ascending by id. */
  private readonly channelMessages = new Map<number, MessageRecord[]>();
  /** Every message, ascending by id (ids are one global sequence). */
  private readonly allMessages: MessageRecord[] = [];
  /** PUBLIC channel id → userId → last ack (epoch ms): Redis `chat:channel:{id}`. */
  private readonly acks = new Map<number, Map<number, number>>();
  /** `message_throttle:{user}:{PM|PUBLIC}` → attempt times in whole seconds. */
  private readonly throttles = new Map<string, number[]>();
  private readonly silences: SilenceRecord[] = [];
  private readonly notifications = new Map<number, { id: number; channelId: number; read: boolean }[]>();
  filters: ChatFilter[] = [];

  private readonly listeners = new Set<(event: WorldEvent) => void>();
  private readonly online = new Map<number, number>();
  private nextIds = { user: 2, token: 1, channel: 1, message: 1, silence: 1, notification: 1 };

  constructor(readonly clock: Clock) {}

  // ---- plumbing -------------------------------------------------------------------------------------------

  /** Subscribes to everything the world publishes. Returns the unsubscribe function. */
  subscribe(listener: (event: WorldEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: WorldEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private publish(userId: number, event: string, data: Record<string, unknown>): void {
    this.emit({ type: 'publish', userId, event, data });
  }

  /** The socket layer reports connected users so `is_online` is true while a socket is open. */
  setOnline(userId: number, delta: 1 | -1): void {
    const count = (this.online.get(userId) ?? 0) + delta;
    if (count > 0) this.online.set(userId, count);
    else this.online.delete(userId);
  }

  private get ctx(): RenderContext {
    return { origin: this.origin, isOnline: (id) => this.online.has(id) };
  }

  /** Empties the world (ids restart at their first values). Listeners and config are kept. */
  clear(): void {
    for (const map of [this.users, this.tokens, this.channels, this.members, this.userChannels]) map.clear();
    this.channelMessages.clear();
    this.allMessages.length = 0;
    this.acks.clear();
    this.throttles.clear();
    this.silences.length = 0;
    this.notifications.clear();
    this.filters = [];
    this.online.clear();
    this.nextIds = { user: 2, token: 1, channel: 1, message: 1, silence: 1, notification: 1 };
  }

  // ---- lookups --------------------------------------------------------------------------------------------

  /** Resolves a bearer token; `undefined` when unknown or revoked. */
  authenticate(token: string): Actor | undefined {
    const record = this.tokens.get(token);
    const user = record && this.users.get(record.userId);
    return record && user ? { user, token: record } : undefined;
  }

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
    return this.channelMessages.get(channelId) ?? [];
  }

  get messageCount(): number {
    return this.allMessages.length;
  }

  private channelOrFail(channelId: number | null): ChannelRecord {
    const channel = channelId === null ? undefined : this.channels.get(channelId);
    return channel ?? notFound('Chat\\Channel');
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

  /** `User::default()` / `User::lookup`: users that are not restricted. */
  private visibleUser(userId: number | null): UserRecord | undefined {
    const user = userId === null ? undefined : this.users.get(userId);
    return user && !user.restricted ? user : undefined;
  }

  messageLengthLimit(channel: Pick<ChannelRecord, 'type'>): number {
    return channel.type === 'ANNOUNCE' ? ANNOUNCE_MESSAGE_LENGTH_LIMIT : this.config.message_length_limit;
  }

  // ---- privileges (§4.1); each returns an error message or null -----------------------------------------

  private pmStartError(user: UserRecord, target: UserRecord): string | null {
    if (user.restricted || user.silenced) return Msg.restricted;
    if (user.pm_friends_only && !user.friends.has(target.id)) return Msg.receiveFriendsOnly;
    if (user.moderator || user.bot) return null;
    if (user.blocks.has(target.id) || target.blocks.has(user.id)) return Msg.blocked;
    if (target.pm_friends_only && !target.friends.has(user.id)) return Msg.friendsOnly;
    return null;
  }

  private announceError(user: UserRecord): string | null {
    if (!(user.moderator || user.announcer) || user.restricted || user.silenced) return Msg.noAnnounce;
    return null;
  }

  private canMessageError(user: UserRecord, channel: ChannelRecord): string | null {
    if (channel.type === 'ANNOUNCE') return this.announceError(user);
    if (user.restricted || user.silenced) return Msg.restricted;
    if (channel.type === 'PM') {
      const other = this.visibleUser(this.pmOther(channel, user.id)?.id ?? null);
      return other ? this.pmStartError(user, other) : Msg.noChannel;
    }
    if (user.moderator) return null;
    if (channel.moderated) return Msg.moderated;
    if (channel.type === 'TEMPORARY' && /^#(mp|spect)_/.test(channel.name)) return Msg.noAccess;
    return null;
  }

  private joinError(user: UserRecord, channel: ChannelRecord): string | null {
    if (channel.type === 'PUBLIC') return null;
    if (user.restricted || user.silenced) return Msg.restricted;
    if (channel.type === 'MULTIPLAYER' || channel.type === 'TEAM') return Msg.unauthorized;
    return Msg.noAccess;
  }

  // ---- rendering -------------------------------------------------------------------------------------------

  private baseFor(channel: ChannelRecord, viewerId: number, uuid?: string | null) {
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
    const canMessageError = this.canMessageError(viewer, channel);
    return {
      ...this.baseFor(channel, viewer.id, uuid),
      current_user_attributes: {
        can_list_users: channel.type === 'ANNOUNCE' && this.announceError(viewer) === null,
        can_message: canMessageError === null,
        can_message_error: canMessageError,
        last_read_id: lastReadId,
      },
      last_read_id: lastReadId,
      last_message_id: channel.lastMessageId,
      users: channel.type === 'PM' ? this.pmUserIds(channel) : [],
    };
  }

  private conversationJson(channel: ChannelRecord, viewer: UserRecord) {
    return {
      ...this.baseFor(channel, viewer.id),
      last_message_id: channel.lastMessageId,
      users: channel.type === 'PM' ? this.pmUserIds(channel) : [],
    };
  }

  private withSender(message: MessageRecord, channel: ChannelRecord, uuid?: string | null) {
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

  // ---- memberships -----------------------------------------------------------------------------------------

  /** `Channel::addUser`: creates or unhides a membership and emits `chat.channel.join`; a no-op if visible. */
  addUser(channel: ChannelRecord, user: UserRecord, uuid?: string | null): void {
    if (channel.type === 'PUBLIC') this.ackChannel(channel.id, user.id);
    const existing = this.membership(channel.id, user.id);
    if (existing && !existing.hidden) return;
    if (existing) existing.hidden = false;
    else this.insertMembership(channel.id, user.id, false);
    this.publish(user.id, 'chat.channel.join', this.listingJson(channel, user, uuid));
  }

  insertMembership(channelId: number, userId: number, hidden: boolean): MembershipRecord {
    let byUser = this.members.get(channelId);
    if (!byUser) this.members.set(channelId, (byUser = new Map()));
    const membership: MembershipRecord = { userId, channelId, lastReadId: null, hidden };
    byUser.set(userId, membership);
    let ids = this.userChannels.get(userId);
    if (!ids) this.userChannels.set(userId, (ids = new Set()));
    ids.add(channelId);
    return membership;
  }

  private deleteMembership(channelId: number, userId: number): void {
    this.members.get(channelId)?.delete(userId);
    this.userChannels.get(userId)?.delete(channelId);
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
      this.deleteMembership(channel.id, user.id);
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
    this.channelMessages.set(channel.id, []);
    return channel;
  }

  private findPm(a: number, b: number): ChannelRecord | undefined {
    const name = pmChannelName(a, b);
    for (const channel of this.channels.values()) {
      if (channel.type === 'PM' && channel.name === name) return channel;
    }
    return undefined;
  }

  /** `Channel::createPM`: both users join, each gets `chat.channel.join`. */
  createPm(a: UserRecord, b: UserRecord): ChannelRecord {
    const channel = this.createChannel({ name: pmChannelName(a.id, b.id), type: 'PM' });
    this.addUser(channel, a);
    this.addUser(channel, b);
    return channel;
  }

  // ---- keepalive (§2.1, §6) --------------------------------------------------------------------------------

  private ackChannel(channelId: number, userId: number): void {
    let scores = this.acks.get(channelId);
    if (!scores) this.acks.set(channelId, (scores = new Map()));
    scores.set(userId, this.clock.now());
  }

  /** PUBLIC channel members who acked within the activity timeout (members or not: §6.3). */
  private activeUserIds(channelId: number): number[] {
    const since = this.clock.now() - this.config.activity_timeout * 1000;
    const scores = this.acks.get(channelId);
    if (!scores) return [];
    return [...scores].filter(([, at]) => at >= since).map(([userId]) => userId);
  }

  /** POST /chat/ack (§2.1). */
  ack(actor: Actor, params: { since: number | null; historySince: number | null }) {
    for (const channelId of this.userChannels.get(actor.user.id) ?? []) {
      if (this.channels.get(channelId)?.type === 'PUBLIC') this.ackChannel(channelId, actor.user.id);
    }
    return { silences: this.selectSilences(params.since ?? 0, params.historySince) };
  }

  /** Silences of the last hour (§3.5). */
  private selectSilences(since: number, historySince: number | null) {
    const cutoff = this.clock.now() - SILENCE_WINDOW_MS;
    // `scopeRecentForChat`: `timestamp > now - 1 hour` (strict).
    const recent = this.silences.filter((s) => s.timestamp > cutoff);
    if (historySince !== null) {
      return recent
        .filter((s) => s.id > historySince)
        .sort((a, b) => b.id - a.id)
        .slice(0, SILENCE_LIMIT)
        .map(silenceJson);
    }
    const index = upperBound(this.allMessages, since) - 1;
    const reference = this.allMessages[index];
    if (!reference) return [];
    return recent
      .filter((s) => s.timestamp > reference.timestamp)
      .sort((a, b) => b.timestamp - a.timestamp || b.id - a.id)
      .slice(0, SILENCE_LIMIT)
      .map(silenceJson);
  }

  /** Records a `user_account_history` row when a user is restricted (1) or silenced (2). */
  addSilence(userId: number, banStatus: 1 | 2): SilenceRecord {
    // A DATETIME column: whole seconds, like message timestamps it is compared with (§3.5).
    const timestamp = Math.floor(this.clock.now() / 1000) * 1000;
    const record: SilenceRecord = { id: this.nextIds.silence++, userId, banStatus, timestamp };
    this.silences.push(record);
    return record;
  }

  // ---- channel list (§2.3–§2.5) ----------------------------------------------------------------------------

  presence(actor: Actor) {
    const result: Listing[] = [];
    for (const channelId of this.userChannels.get(actor.user.id) ?? []) {
      if (result.length >= PRESENCE_LIMIT) break;
      const channel = this.channels.get(channelId);
      const membership = this.membership(channelId, actor.user.id);
      if (!channel || !membership || membership.hidden || !this.isVisibleFor(channel, actor.user)) continue;
      result.push(this.listingJson(channel, actor.user));
    }
    return result;
  }

  private isVisibleFor(channel: ChannelRecord, viewer: UserRecord): boolean {
    if (channel.type !== 'PM') return true;
    const other = this.visibleUser(this.pmOther(channel, viewer.id)?.id ?? null);
    if (!other) return false;
    return !viewer.blocks.has(other.id) || other.bot || other.moderator;
  }

  /** GET /chat/updates (§2.3). `includes` null means "all three". */
  updates(
    actor: Actor,
    params: { since: number | null; historySince: number | null; includes: string[] | null },
  ) {
    if (params.since === null) fail(422);
    const wanted = params.includes ?? ['presence', 'silences', 'messages'];
    const body: Record<string, unknown> = {};
    if (wanted.includes('presence')) body.presence = this.presence(actor);
    if (wanted.includes('silences')) body.silences = this.selectSilences(params.since, params.historySince);
    if (wanted.includes('messages')) body.messages = [];
    return Object.keys(body).length === 0 ? [] : body;
  }

  publicChannels() {
    return [...this.channels.values()]
      .filter((c) => c.type === 'PUBLIC')
      .map((c) =>
        channelBase(c, { name: c.name, icon: null, messageLengthLimit: this.messageLengthLimit(c) }),
      );
  }

  // ---- POST /chat/channels (§2.6) --------------------------------------------------------------------------

  storeChannel(
    actor: Actor,
    params: {
      type: string | null;
      targetId: number | null;
      targetIds: number[] | null;
      channel: { name: string | null; description: string | null } | null;
      message: string | null;
      uuid: string | null;
    },
  ) {
    if (params.type === 'PM') return this.storePm(actor, params.targetId);
    if (params.type === 'ANNOUNCE') return this.createAnnouncement(actor, params);
    fail(422, 'unknown or missing type parameter');
  }

  private storePm(actor: Actor, targetId: number | null) {
    if (targetId === null) fail(422, 'missing target_id parameter');
    const target = this.users.get(targetId) ?? notFound('User');
    const error = this.pmStartError(actor.user, target);
    if (error) fail(403, error);
    const channel = this.findPm(actor.user.id, target.id);
    if (!channel) {
      return {
        channel_id: null,
        name: null,
        description: '',
        icon: null,
        type: null,
        message_length_limit: this.config.message_length_limit,
        moderated: false,
        uuid: null,
        recent_messages: [],
      };
    }
    this.addUser(channel, actor.user);
    return this.withRecentMessages(channel, actor.user);
  }

  private withRecentMessages(channel: ChannelRecord, viewer: UserRecord, uuid?: string | null) {
    const recent = this.messagesOf(channel.id).slice(-RECENT_MESSAGES);
    return {
      ...this.baseFor(channel, viewer.id, uuid),
      recent_messages: recent.map((m) => this.withSender(m, channel)),
    };
  }

  private createAnnouncement(
    actor: Actor,
    params: {
      targetIds: number[] | null;
      channel: { name: string | null; description: string | null } | null;
      message: string | null;
      uuid: string | null;
    },
  ) {
    const error = this.announceError(actor.user);
    if (error) fail(403, error);
    if (params.targetIds === null) fail(422, 'missing target_ids parameter');
    if (params.channel === null) fail(422, 'missing channel parameter');
    const targets = [...new Set(params.targetIds)]
      // `User::whereIn` without the default scope: restricted users are targets too.
      .map((id) => this.users.get(id))
      .filter((u): u is UserRecord => u !== undefined);
    if (targets.length === 0) fail(422, 'Nobody to broadcast to!');
    // `Channel::setNameAttribute`/`setDescriptionAttribute` trim; `isValid` errors are `model_validation.*` strings.
    const name = phpTrim(params.channel.name ?? '');
    const description = phpTrim(params.channel.description ?? '');
    if (name === '') fail(422, 'name is required.');
    if ([...name].length > MAX_NAME_LENGTH) {
      fail(422, `name exceeded maximum length - can only be up to ${MAX_NAME_LENGTH} characters.`);
    }
    if ([...description].length > MAX_DESCRIPTION_LENGTH) {
      fail(
        422,
        `description exceeded maximum length - can only be up to ${MAX_DESCRIPTION_LENGTH} characters.`,
      );
    }
    // One transaction in osu-web: validate the message before anything is created or broadcast.
    const content = this.processContent({ type: 'ANNOUNCE' }, params.message ?? '');
    this.consumeThrottle(actor.user.id, 'ANNOUNCE');

    const channel = this.createChannel({ name, description, type: 'ANNOUNCE', moderated: true });
    const members = new Map(targets.map((u) => [u.id, u]));
    members.set(actor.user.id, actor.user);
    for (const member of members.values()) this.addUser(channel, member, params.uuid);
    this.commitMessage(channel, actor.user, {
      content,
      isAction: false,
      uuid: null,
      timestamp: this.clock.now(),
    });
    return this.withRecentMessages(channel, actor.user, params.uuid);
  }

  // ---- GET /chat/channels/{id}, join, part, mark-as-read (§2.7–§2.10) ----------------------------------

  showChannel(actor: Actor, channelId: number | null) {
    const channel = this.channelOrFail(channelId);
    if (!this.membership(channel.id, actor.user.id)) fail(404);
    const users =
      channel.type === 'PM'
        ? this.pmUserIds(channel)
            .map((id) => this.users.get(id))
            .filter((u): u is UserRecord => u !== undefined)
            .map((u) => userCard(this.ctx, u))
        : [];
    return { channel: this.listingJson(channel, actor.user), users };
  }

  join(actor: Actor, channelId: number | null, userId: number | null) {
    const channel = this.channelOrFail(channelId);
    const error = this.joinError(actor.user, channel);
    if (error) fail(403, error);
    if (userId !== actor.user.id) fail(403);
    this.addUser(channel, actor.user);
    return this.listingJson(channel, actor.user);
  }

  part(actor: Actor, channelId: number | null, userId: number | null): void {
    const channel = this.channelOrFail(channelId);
    if (channel.type === 'TEAM' || channel.type === 'PRIVATE') fail(403, Msg.unauthorized);
    if (userId !== actor.user.id) fail(403);
    this.removeUser(channel, actor.user);
  }

  markAsRead(actor: Actor, channelId: number | null, messageId: number | null): void {
    const membership = channelId === null ? undefined : this.membership(channelId, actor.user.id);
    if (!membership) notFound('Chat\\UserChannel');
    membership.lastReadId = Math.max(membership.lastReadId ?? 0, messageId ?? 0);
    this.readNotifications(actor.user.id, membership.channelId);
  }

  // ---- history (§2.11) -------------------------------------------------------------------------------------

  history(
    actor: Actor,
    channelId: number | null,
    params: { limit: number | null; since: number | null; until: number | null; returnObject: boolean },
  ) {
    const channel = this.channelOrFail(channelId);
    if (!this.membership(channel.id, actor.user.id)) fail(404);
    if (channel.type === 'PM' && !this.visibleUser(this.pmOther(channel, actor.user.id)?.id ?? null))
      fail(404);
    const limit = Math.min(HISTORY_PAGE, Math.max(1, params.limit ?? HISTORY_PAGE));
    const all = this.messagesOf(channel.id);
    let page: readonly MessageRecord[];
    if (params.since !== null) {
      const start = upperBound(all, params.since);
      page = all.slice(start, start + limit);
    } else {
      const end = params.until === null ? all.length : lowerBound(all, params.until);
      page = all.slice(Math.max(0, end - limit), end);
    }
    const backlogCutoff = this.clock.now() - this.config.public_backlog_hours * 3_600_000;
    const visible = page.filter(
      (m) =>
        (channel.type !== 'PUBLIC' || m.timestamp > backlogCutoff) &&
        (!USER_COMMAND.test(m.content) || m.senderId === actor.user.id),
    );
    if (!params.returnObject) return visible.map((m) => this.withSender(m, channel));
    const senders = new Map<number, unknown>();
    for (const m of visible) {
      const sender = this.users.get(m.senderId);
      if (!senders.has(m.senderId)) {
        senders.set(m.senderId, sender ? userCompact(this.ctx, sender) : deletedUser(m.senderId));
      }
    }
    return { messages: visible.map((m) => messageJson(m, channel.type)), users: [...senders.values()] };
  }

  // ---- sending (§2.2, §2.12, §4.2, §4.3) -------------------------------------------------------------------

  /** POST /chat/channels/{channel}/messages. */
  send(
    actor: Actor,
    channelId: number | null,
    params: { message: string | null; isAction: boolean; uuid: string | null },
  ) {
    const channel = this.channelOrFail(channelId);
    if (channel.type === 'PM' && !this.visibleUser(this.pmOther(channel, actor.user.id)?.id ?? null)) {
      fail(404, 'target user not found');
    }
    this.ensureCanSend(actor, channel);
    const message = this.receiveMessage(channel, actor.user, params);
    return this.withSender(message, channel, params.uuid);
  }

  /** `ChatChannelSend` (§4.1). */
  private ensureCanSend(actor: Actor, channel: ChannelRecord): void {
    if (!actor.token.verified) throw new HttpError(401, { method: 'mail' });
    const { user } = actor;
    if (user.restricted || user.silenced) fail(403, Msg.restricted);
    if (!this.membership(channel.id, user.id)) fail(403, Msg.noAccess);
    const error = this.canMessageError(user, channel);
    if (error) fail(403, error);
  }

  /** POST /chat/new (§2.2). */
  newConversation(
    actor: Actor,
    params: { targetId: number | null; message: string | null; isAction: boolean; uuid: string | null },
  ) {
    const target = this.visibleUser(params.targetId) ?? fail(422, 'target user not found');
    if (target.id === actor.user.id) fail(422, "can't send message to same user");
    const error = this.pmStartError(actor.user, target);
    if (error) fail(403, error);
    if (!actor.token.verified) throw new HttpError(401, { method: 'mail' });
    // One transaction: validate (and throttle) before the channel exists, so a failure leaves nothing behind.
    const existing = this.findPm(actor.user.id, target.id);
    const content = this.processContent({ type: 'PM' }, params.message ?? '');
    this.consumeThrottle(actor.user.id, 'PM');
    const channel = existing ?? this.createPm(actor.user, target);
    // `Chat::sendPrivateMessage` re-adds the sender to an existing PM: a hidden one is rejoined with an event.
    if (existing) this.addUser(existing, actor.user);
    const message = this.commitMessage(channel, actor.user, {
      content,
      isAction: params.isAction,
      uuid: params.uuid,
      timestamp: this.clock.now(),
    });
    const sender = userCompact(this.ctx, actor.user);
    return {
      channel: this.conversationJson(channel, actor.user),
      message: messageJson(message, channel.type, { uuid: params.uuid, sender }),
      new_channel_id: channel.id,
    };
  }

  /** `Channel::receiveMessage`: content rules, then the throttle, then commit. */
  private receiveMessage(
    channel: ChannelRecord,
    sender: UserRecord,
    params: { message: string | null; isAction: boolean; uuid: string | null },
  ): MessageRecord {
    const content = this.processContent(channel, params.message ?? '');
    this.consumeThrottle(sender.id, channel.type);
    return this.commitMessage(channel, sender, {
      content,
      isAction: params.isAction,
      uuid: params.uuid,
      timestamp: this.clock.now(),
    });
  }

  /** Trim + CR/LF folding (not for ANNOUNCE), blank check, chat filters, length limit (§4.2 step 5). */
  processContent(channel: Pick<ChannelRecord, 'type'>, raw: string): string {
    let content = raw;
    // PHP `str_replace(["\r", "\n"], ' ', trim($content))`: every CR and every LF becomes one space.
    if (channel.type !== 'ANNOUNCE') content = phpTrim(content).replace(/[\r\n]/g, ' ');
    // `present()`: only the empty string is blank (an untrimmed ANNOUNCE message of spaces is not).
    if (content === '') fail(422, 'Cannot send blank message.');
    if (channel.type !== 'ANNOUNCE') content = this.applyFilters(content);
    if ([...content].length > this.messageLengthLimit(channel)) {
      fail(422, 'The message you are trying to send is too long.');
    }
    return content;
  }

  /**
   * `ChatFilters::filter`: any block filter matching the input → 422 `{"error": null}`; then every plain
   * replace filter in turn (`str_ireplace`: ASCII case-insensitive, literal), then every whole-word one
   * (`/\bterm\b/iu`).
   */
  private applyFilters(content: string): string {
    const blocks = this.filters.filter((f) => f.block);
    if (blocks.some((f) => filterPattern(f).test(content))) fail(422);
    let result = content;
    for (const filter of this.filters) {
      if (!filter.block && !filter.whitespace_delimited) {
        result = replaceAsciiInsensitive(result, filter.match, filter.replacement);
      }
    }
    for (const filter of this.filters) {
      if (!filter.block && filter.whitespace_delimited) {
        result = result.replace(filterPattern(filter), () => filter.replacement);
      }
    }
    return result;
  }

  /** The sliding-window throttle of §4.3; the attempt is recorded even when it is rejected. */
  private consumeThrottle(userId: number, channelType: ChannelType): void {
    const bucket = channelType === 'PM' ? 'PM' : 'PUBLIC';
    const limit = bucket === 'PM' ? this.config.chat_private_limit : this.config.chat_public_limit;
    const window = bucket === 'PM' ? this.config.chat_private_window : this.config.chat_public_window;
    const key = `${userId}:${bucket}`;
    const now = Math.floor(this.clock.now() / 1000);
    const attempts = (this.throttles.get(key) ?? []).filter((at) => at > now - window);
    const count = attempts.length;
    attempts.push(now);
    this.throttles.set(key, attempts);
    if (count >= limit) {
      fail(429, 'You are sending messages too quickly, please wait a bit before trying again.');
    }
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
    this.channelMessages.get(channel.id)?.push(message);
    this.allMessages.push(message);
    channel.lastMessageId = message.id;
    const own = this.membership(channel.id, sender.id);
    if (own) own.lastReadId = Math.max(own.lastReadId ?? 0, message.id);
    if (channel.type === 'PM' || channel.type === 'ANNOUNCE') {
      for (const membership of this.members.get(channel.id)?.values() ?? []) membership.hidden = false;
    }
    const userCommand = USER_COMMAND.test(message.content);
    if (!userCommand) this.dispatchNotification(channel, sender, message);
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
    else if (channel.type === 'PUBLIC') recipients = this.activeUserIds(channel.id);
    else if (channel.type === 'PM') recipients = new Set(this.pmUserIds(channel));
    else recipients = this.members.get(channel.id)?.keys() ?? [];
    const data = {
      messages: [messageJson(message, channel.type, { uuid })],
      users: [userCompact(this.ctx, sender)],
    };
    for (const userId of recipients) this.publish(userId, 'chat.message.new', data);
  }

  // ---- notifications (§5.6) --------------------------------------------------------------------------------

  private dispatchNotification(channel: ChannelRecord, sender: UserRecord, message: MessageRecord): void {
    let name: string;
    let receivers: number[];
    const details: Record<string, unknown> = {
      title: truncate(message.content, 36),
      type: channel.type.toLowerCase(),
      cover_url: `${this.origin}/_emulator/avatars/${sender.id}.svg`,
    };
    if (channel.type === 'PM') {
      name = 'channel_message';
      receivers = this.pmUserIds(channel);
    } else if (channel.type === 'ANNOUNCE') {
      name = 'channel_announcement';
      receivers = [...(this.members.get(channel.id)?.keys() ?? [])];
      Object.assign(details, { channel_id: channel.id, name: channel.name });
    } else if (channel.type === 'PUBLIC' && message.content.includes('@')) {
      const mentioned = /@([\w\-[\]]+)/.exec(message.content)?.[1];
      const target = mentioned ? this.findUserByName(mentioned) : undefined;
      if (!target) return;
      name = 'channel_mention';
      receivers = [target.id];
      Object.assign(details, {
        title: truncate(message.content, 200),
        message_id: message.id,
        name: channel.name,
      });
    } else {
      return;
    }
    for (const userId of receivers) {
      const user = this.users.get(userId);
      if (!user || user.id === sender.id || user.bot || user.blocks.has(sender.id)) continue;
      const id = this.nextIds.notification++;
      let list = this.notifications.get(userId);
      if (!list) this.notifications.set(userId, (list = []));
      list.push({ id, channelId: channel.id, read: false });
      this.publish(userId, 'new', {
        id,
        name,
        created_at: new Date(message.timestamp).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        object_type: 'channel',
        object_id: channel.id,
        source_user_id: sender.id,
        is_read: false,
        details,
      });
    }
  }

  private readNotifications(userId: number, channelId: number): void {
    const unread = (this.notifications.get(userId) ?? []).filter((n) => n.channelId === channelId && !n.read);
    if (unread.length === 0) return;
    for (const n of unread) n.read = true;
    this.publish(userId, 'read', {
      notifications: unread.map((n) => ({
        category: 'channel',
        object_type: 'channel',
        object_id: channelId,
        id: n.id,
      })),
      read_count: unread.length,
      timestamp: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    });
  }

  // ---- control operations (no permission checks) ---------------------------------------------------------

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

  /** A message through the real send pipeline minus permissions and throttle (control API, seeds, traffic). */
  postMessage(
    channel: ChannelRecord,
    sender: UserRecord,
    fields: { content: string; isAction?: boolean; timestamp?: number },
  ): MessageRecord {
    const content = this.processContent(channel, fields.content);
    return this.commitMessage(channel, sender, {
      content,
      isAction: fields.isAction ?? false,
      uuid: null,
      timestamp: fields.timestamp ?? this.clock.now(),
    });
  }

  /** The whole state as plain JSON (control API `GET /_emulator/state`). */
  snapshot() {
    return {
      users: [...this.users.values()].map((u) => ({
        ...userCompact(this.ctx, u),
        restricted: u.restricted,
        silenced: u.silenced,
        bot: u.bot,
        moderator: u.moderator,
        announcer: u.announcer,
        friends: [...u.friends],
        blocks: [...u.blocks],
      })),
      channels: [...this.channels.values()].map((c) => ({
        ...channelBase(c, { name: c.name, icon: null, messageLengthLimit: this.messageLengthLimit(c) }),
        last_message_id: c.lastMessageId,
      })),
      memberships: [...this.members.values()].flatMap((byUser) =>
        [...byUser.values()].map((m) => ({
          channel_id: m.channelId,
          user_id: m.userId,
          last_read_id: m.lastReadId,
          hidden: m.hidden,
        })),
      ),
      messages: this.allMessages.map((m) => messageJson(m, this.channels.get(m.channelId)?.type ?? 'PUBLIC')),
      config: { ...this.config },
    };
  }
}

/** `#pm_{low}-{high}`. */
export function pmChannelName(a: number, b: number): string {
  return `#pm_${Math.min(a, b)}-${Math.max(a, b)}`;
}

function deletedUser(id: number) {
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

/** PCRE's `\w` under PHP's `/u` (UCP): letters, digits and underscore. */
const WORD = '[\\p{L}\\p{N}_]';
const WORD_CHAR = new RegExp(`^${WORD}$`, 'u');

/** `/term/iu`, or `/\bterm\b/iu` for a whole-word filter (`\b` spelled out so it follows PCRE's UCP rules). */
function filterPattern(filter: ChatFilter): RegExp {
  const escaped = filter.match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!filter.whitespace_delimited) return new RegExp(escaped, 'giu');
  const chars = [...filter.match];
  const firstIsWord = WORD_CHAR.test(chars[0] ?? '');
  const lastIsWord = WORD_CHAR.test(chars[chars.length - 1] ?? '');
  const before = firstIsWord ? `(?<!${WORD})` : `(?<=${WORD})`;
  const after = lastIsWord ? `(?!${WORD})` : `(?=${WORD})`;
  return new RegExp(`${before}${escaped}${after}`, 'giu');
}

/** PHP `trim()`: only space, tab, LF, CR, NUL and vertical tab (not every Unicode space, as JS `trim`). */
function phpTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PHP_TRIMMED.has(text[start] as string)) start++;
  while (end > start && PHP_TRIMMED.has(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

const PHP_TRIMMED = new Set([' ', '\t', '\n', '\r', '\0', '\v']);

/** PHP `str_ireplace` for one pair: literal, ASCII-only case folding, left to right. */
function replaceAsciiInsensitive(text: string, search: string, replacement: string): string {
  if (search === '') return text;
  const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const haystack = lower(text);
  const needle = lower(search);
  let result = '';
  let from = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, from)) {
    result += text.slice(from, at) + replacement;
    from = at + search.length;
  }
  return result + text.slice(from);
}

function truncate(text: string, length: number): string {
  const chars = [...text];
  return chars.length > length ? `${chars.slice(0, length - 3).join('')}...` : text;
}

/**
 * A JWT shaped as osu!'s Passport access tokens are (`jti`, `sub`, `scopes`, times), so clients can read the
 * scopes as they do from real tokens. The signature is random bytes: only this emulator checks it, by lookup.
 */
function accessToken(id: number, userId: number, scopes: readonly string[], now: number): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(now / 1000);
  const header = encode({ typ: 'JWT', alg: 'RS256' });
  const payload = encode({
    aud: '1',
    jti: `${id}${randomHex(20)}`,
    iat,
    nbf: iat,
    exp: iat + 86_400,
    sub: String(userId),
    scopes,
  });
  return `${header}.${payload}.${Buffer.from(randomHex(64), 'hex').toString('base64url')}`;
}

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return [...buffer].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Index of the first message with id > `id`. */
function upperBound(messages: readonly MessageRecord[], id: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((messages[mid] as MessageRecord).id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first message with id ≥ `id`. */
function lowerBound(messages: readonly MessageRecord[], id: number): number {
  return upperBound(messages, id - 1);
}
