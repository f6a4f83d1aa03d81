// The emulator's state and osu!'s chat rules (§2, §4); the HTTP, socket and control layers call `World`. This
// file has what each API request does (§2.1–§2.12), permission checks included, plus the control API's message
// post and state snapshot. `WorldState` (worldState.ts) has the records and every change needing no permission.
// The rules applied live beside: privileges.ts (§4.1), content.ts (§4.2), throttle.ts (§4.3), silences.ts
// (§3.5), notifications.ts (§5.6), channelActivity.ts (§6).
import { announcementFields, isUserCommand } from './content.js';
import { fail, HttpError, AuthorizationMessage as Msg, notFound } from './errors.js';
import { announceError, canMessageError, isListedFor, joinError, pmStartError } from './privileges.js';
import {
  channelBase,
  deletedUser,
  messageJson,
  unsavedChannelJson,
  userCard,
  userCompact,
} from './render.js';
import type { ChannelRecord, MessageRecord, TokenRecord, UserRecord } from './types.js';
import { pmChannelName, WorldState } from './worldState.js';

export { pmChannelName };

/** Who is making a request: the token's user and the token itself. */
export interface Actor {
  user: UserRecord;
  token: TokenRecord;
}

export type Listing = ReturnType<World['listingJson']>;

const PRESENCE_LIMIT = 10_000;
const HISTORY_PAGE = 50;
const RECENT_MESSAGES = 50;

/**
 * The emulated osu! chat: its state and the rules of every API request. An emulator has one (`emulator.world`);
 * tests also use it directly to arrange state without going through HTTP.
 *
 * @example
 * const world = new World(new EmulatorClock());
 * const alice = world.createUser({ username: 'alice' });
 * const bob = world.createUser({ username: 'bob' });
 * world.postMessage(world.createPm(alice, bob), alice, { content: 'hi' });
 */
export class World extends WorldState {
  // ---- request lookups -------------------------------------------------------------------------------------

  /** Resolves a bearer token; `undefined` when unknown or revoked. */
  authenticate(token: string): Actor | undefined {
    const record = this.tokens.get(token);
    const user = record && this.users.get(record.userId);
    return record && user ? { user, token: record } : undefined;
  }

  private channelOrFail(channelId: number | null): ChannelRecord {
    const channel = channelId === null ? undefined : this.channels.get(channelId);
    return channel ?? notFound('Chat\\Channel');
  }

  private findPm(a: number, b: number): ChannelRecord | undefined {
    const name = pmChannelName(a, b);
    for (const channel of this.channels.values()) {
      if (channel.type === 'PM' && channel.name === name) return channel;
    }
    return undefined;
  }

  // ---- keepalive (§2.1, §6) --------------------------------------------------------------------------------

  /** POST /chat/ack (§2.1). */
  ack(actor: Actor, params: { since: number | null; historySince: number | null }) {
    for (const channelId of this.userChannels.get(actor.user.id) ?? []) {
      if (this.channels.get(channelId)?.type === 'PUBLIC') this.activity.ack(channelId, actor.user.id);
    }
    return { silences: this.silences.select(params.since ?? 0, params.historySince) };
  }

  // ---- channel list (§2.3–§2.5) ----------------------------------------------------------------------------

  presence(actor: Actor) {
    const result: Listing[] = [];
    for (const channelId of this.userChannels.get(actor.user.id) ?? []) {
      if (result.length >= PRESENCE_LIMIT) break;
      const channel = this.channels.get(channelId);
      const membership = this.membership(channelId, actor.user.id);
      if (!channel || !membership || membership.hidden) continue;
      if (!isListedFor(channel, actor.user, this.pmPeer(channel, actor.user.id))) continue;
      result.push(this.listingJson(channel, actor.user));
    }
    return result;
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
    if (wanted.includes('silences')) body.silences = this.silences.select(params.since, params.historySince);
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
    const error = pmStartError(actor.user, target);
    if (error) fail(403, error);
    const channel = this.findPm(actor.user.id, target.id);
    // Nothing is created here: without an existing PM the answer is a blank, unsaved channel.
    if (!channel) return unsavedChannelJson(this.config.message_length_limit);
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
    const error = announceError(actor.user);
    if (error) fail(403, error);
    if (params.targetIds === null) fail(422, 'missing target_ids parameter');
    if (params.channel === null) fail(422, 'missing channel parameter');
    const targets = [...new Set(params.targetIds)]
      // `User::whereIn` without the default scope: restricted users are targets too.
      .map((id) => this.users.get(id))
      .filter((u): u is UserRecord => u !== undefined);
    if (targets.length === 0) fail(422, 'Nobody to broadcast to!');
    const { name, description } = announcementFields(params.channel);
    // One transaction in osu-web: validate the message before anything is created or broadcast.
    const content = this.processContent({ type: 'ANNOUNCE' }, params.message ?? '');
    this.throttle.consume(actor.user.id, 'ANNOUNCE');

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
    const error = joinError(actor.user, channel);
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
    this.notifications.markRead(actor.user.id, membership.channelId);
  }

  // ---- history (§2.11) -------------------------------------------------------------------------------------

  history(
    actor: Actor,
    channelId: number | null,
    params: { limit: number | null; since: number | null; until: number | null; returnObject: boolean },
  ) {
    const channel = this.channelOrFail(channelId);
    if (!this.membership(channel.id, actor.user.id)) fail(404);
    if (channel.type === 'PM' && !this.pmPeer(channel, actor.user.id)) fail(404);
    const limit = Math.min(HISTORY_PAGE, Math.max(1, params.limit ?? HISTORY_PAGE));
    const page = this.messageLog.page(channel.id, { since: params.since, until: params.until, limit });
    const backlogCutoff = this.clock.now() - this.config.public_backlog_hours * 3_600_000;
    const visible = page.filter(
      (m) =>
        (channel.type !== 'PUBLIC' || m.timestamp > backlogCutoff) &&
        (!isUserCommand(m.content) || m.senderId === actor.user.id),
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
    if (channel.type === 'PM' && !this.pmPeer(channel, actor.user.id)) fail(404, 'target user not found');
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
    const error = canMessageError(user, channel, this.pmPeer(channel, user.id));
    if (error) fail(403, error);
  }

  /** POST /chat/new (§2.2). */
  newConversation(
    actor: Actor,
    params: { targetId: number | null; message: string | null; isAction: boolean; uuid: string | null },
  ) {
    const target = this.visibleUser(params.targetId) ?? fail(422, 'target user not found');
    if (target.id === actor.user.id) fail(422, "can't send message to same user");
    const error = pmStartError(actor.user, target);
    if (error) fail(403, error);
    if (!actor.token.verified) throw new HttpError(401, { method: 'mail' });
    // One transaction: validate (and throttle) before the channel exists, so a failure leaves nothing behind.
    const existing = this.findPm(actor.user.id, target.id);
    const content = this.processContent({ type: 'PM' }, params.message ?? '');
    this.throttle.consume(actor.user.id, 'PM');
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

  /** A channel as `POST /chat/new` returns it: the base fields, last message and PM users, no attributes. */
  private conversationJson(channel: ChannelRecord, viewer: UserRecord) {
    return {
      ...this.baseFor(channel, viewer.id),
      last_message_id: channel.lastMessageId,
      users: channel.type === 'PM' ? this.pmUserIds(channel) : [],
    };
  }

  /** `Channel::receiveMessage`: content rules, then the throttle, then commit. */
  private receiveMessage(
    channel: ChannelRecord,
    sender: UserRecord,
    params: { message: string | null; isAction: boolean; uuid: string | null },
  ): MessageRecord {
    const content = this.processContent(channel, params.message ?? '');
    this.throttle.consume(sender.id, channel.type);
    return this.commitMessage(channel, sender, {
      content,
      isAction: params.isAction,
      uuid: params.uuid,
      timestamp: this.clock.now(),
    });
  }

  // ---- control API (no permission checks) ----------------------------------------------------------------

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
      messages: this.messageLog.all.map((m) =>
        messageJson(m, this.channels.get(m.channelId)?.type ?? 'PUBLIC'),
      ),
      config: { ...this.config },
    };
  }
}
