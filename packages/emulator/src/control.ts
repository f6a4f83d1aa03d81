// The control API: the same operations as methods of the emulator handle and as HTTP+JSON routes under
// /_emulator/. Bad input → 400 `{"error": "…"}`; unknown ids → 404 `{"error": "…"}`.

import { avatarSvg } from './avatar.js';
import type { EmulatorClock } from './clock.js';
import { HttpError } from './errors.js';
import type { Fault, FaultTable } from './faults.js';
import type { ParsedRequest, Reply } from './request.js';
import { applySeed, type SeedName, startTraffic } from './seed.js';
import type { SocketHub } from './socket.js';
import {
  CHANNEL_TYPES,
  type ChannelRecord,
  type ChannelType,
  DEFAULT_CONFIG,
  type EmulatorConfig,
  type Scope,
  THIRD_PARTY_SCOPES,
  type UserFlags,
  type UserRecord,
} from './types.js';
import * as v from './validate.js';
import { pmChannelName, type World } from './world.js';

export interface ControlDeps {
  world: World;
  clock: EmulatorClock;
  faults: FaultTable;
  sockets: SocketHub;
  /** Config overrides re-applied after every reset. */
  limits: Partial<EmulatorConfig>;
}

/** A user the seed created, with one of their tokens (a user with two tokens is listed twice). */
export interface SeededToken {
  id: number;
  username: string;
  token: string;
  scopes: Scope[];
}

const FLAG_NAMES = ['restricted', 'silenced', 'bot', 'moderator', 'announcer', 'pm_friends_only'] as const;

/** Rejects fields a route does not know, so a typo (`"silence": true`) is a 400 rather than a silent no-op. */
function only(input: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  const object = v.object(input, what);
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) v.bad(`unknown field ${key}; expected ${keys.join(', ')}`);
  }
  return object;
}

/**
 * Operations on a running emulator, for tests, demos, benchmarks and anyone testing an osu! chat tool. Each
 * method is also an HTTP route under `/_emulator/` with the same JSON in and out; bad input throws an
 * `HttpError` with the route's 400/404 status and body.
 *
 * @example
 * ```ts
 * const { user, token } = emu.createUser({ username: 'alice' });
 * const { channel } = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [user.id] });
 * emu.postMessage(channel.channel_id, { sender_id: user.id, content: 'hello' });
 * emu.setFaults([{ method: 'GET', path: '/api/v2/chat/channels', status: 503, times: 1 }]);
 * ```
 */
export class EmulatorControl {
  /** Tokens created by the last seed, in creation order (what the CLI prints). */
  seededTokens: SeededToken[] = [];
  private stopTrafficFn: (() => void) | undefined;

  constructor(private readonly deps: ControlDeps) {}

  /** The world this control operates on. */
  get world(): World {
    return this.deps.world;
  }

  // ---- users and tokens ------------------------------------------------------------------------------------

  /** Creates a user and a token (third-party scopes unless `scopes` says otherwise). */
  createUser(input: { username: string; scopes?: Scope[] } & Partial<UserFlags>) {
    only(input, 'body', ['username', 'scopes', ...FLAG_NAMES]);
    const username = v.requiredString(input, 'username', 1, 32);
    if (this.deps.world.findUserByName(username)) v.bad(`username ${username} is taken`);
    const flags = v.flags(input, FLAG_NAMES);
    const scopes = v.scopes(input, 'scopes') ?? [...THIRD_PARTY_SCOPES];
    const user = this.deps.world.createUser({ username, ...flags });
    const token = this.deps.world.createToken(user.id, scopes);
    return { user: this.userJson(user), token: token.token };
  }

  /** Sets any of the user's flags. Turning `silenced`/`restricted` on records a silence, as osu! does. */
  updateUser(id: number, input: Partial<UserFlags>) {
    const user = this.user(id);
    only(input, 'body', FLAG_NAMES);
    this.deps.world.updateUser(user, v.flags(input, FLAG_NAMES));
    return { user: this.userJson(user) };
  }

  /** `id` friends (`on`) or unfriends `target` (osu!'s friends list: `pm_friends_only` reads it). */
  setFriend(id: number, target: number, on: boolean): void {
    const user = this.user(id);
    this.user(target);
    if (on) user.friends.add(target);
    else user.friends.delete(target);
  }

  /** `id` blocks (`on`) or unblocks `target`. */
  setBlock(id: number, target: number, on: boolean): void {
    const user = this.user(id);
    this.user(target);
    if (on) user.blocks.add(target);
    else user.blocks.delete(target);
  }

  /** Issues another token for a user. `verified: false` makes a session that needs verification (§1.4). */
  createToken(input: { user_id: number; scopes: Scope[]; verified?: boolean }) {
    only(input, 'body', ['user_id', 'scopes', 'verified']);
    const user = this.user(v.requiredInt(input, 'user_id'));
    const scopes = v.scopes(input, 'scopes') ?? v.bad('scopes must be an array of strings');
    const verified = v.optionalBool(input, 'verified') ?? true;
    return { token: this.deps.world.createToken(user.id, scopes, verified).token };
  }

  /** Revokes a token: API calls with it get 401, its sockets get `logout` and close. */
  revokeToken(token: string): void {
    if (!this.deps.world.revokeToken(token)) throw new HttpError(404, { error: 'unknown token' });
  }

  /** Verifies a token's session; its sockets get `{"event":"verified"}`. */
  verifyToken(token: string): void {
    if (!this.deps.world.verifyToken(token)) throw new HttpError(404, { error: 'unknown token' });
  }

  // ---- channels and messages -------------------------------------------------------------------------------

  /** Creates a channel; a PM is named from its two members. Members join with `chat.channel.join`. */
  createChannel(input: {
    name?: string;
    type: ChannelType;
    description?: string;
    moderated?: boolean;
    members?: number[];
  }) {
    const { world } = this.deps;
    only(input, 'body', ['name', 'type', 'description', 'moderated', 'members']);
    const type = v.oneOf(input, 'type', CHANNEL_TYPES);
    const memberIds = v.optionalIntArray(input, 'members') ?? [];
    if (new Set(memberIds).size !== memberIds.length) v.bad('members must not repeat');
    const members = memberIds.map((id) => this.user(id));
    const description = v.optionalString(input, 'description', 0, 255) ?? '';
    const moderated = v.optionalBool(input, 'moderated') ?? type === 'ANNOUNCE';
    let name: string;
    if (type === 'PM') {
      const [a, b] = members;
      if (members.length !== 2 || !a || !b || a.id === b.id)
        v.bad('a PM needs exactly two different members');
      name = pmChannelName(a.id, b.id);
      if ([...world.channels.values()].some((c) => c.name === name)) v.bad(`${name} exists`);
    } else {
      name = v.requiredString(input, 'name', 1, 50);
    }
    const channel = world.createChannel({ name, type, description, moderated });
    for (const member of members) world.addUser(channel, member);
    return { channel: this.channelJson(channel) };
  }

  /** Makes a user a member (visible: emits `chat.channel.join`; `hidden: true`: a hidden row, no event). */
  setMember(channelId: number, userId: number, input: { hidden?: boolean } = {}): void {
    const { world } = this.deps;
    const channel = this.channel(channelId);
    const user = this.user(userId);
    only(input, 'body', ['hidden']);
    const hidden = v.optionalBool(input, 'hidden') ?? false;
    if (!hidden) {
      world.addUser(channel, user);
      return;
    }
    const membership =
      world.membership(channel.id, user.id) ?? world.insertMembership(channel.id, user.id, true);
    membership.hidden = true;
  }

  /** `Channel::removeUser`: PM and ANNOUNCE memberships are hidden, others deleted; emits `chat.channel.part`. */
  removeMember(channelId: number, userId: number): void {
    this.deps.world.removeUser(this.channel(channelId), this.user(userId));
  }

  /** Posts as `sender_id` through the real send pipeline, without permission checks or the throttle. */
  postMessage(
    channelId: number,
    input: { sender_id: number; content: string; is_action?: boolean; timestamp?: string },
  ) {
    const channel = this.channel(channelId);
    only(input, 'body', ['sender_id', 'content', 'is_action', 'timestamp']);
    const sender = this.user(v.requiredInt(input, 'sender_id'));
    const content = v.requiredString(input, 'content', 0, 1_000_000);
    const isAction = v.optionalBool(input, 'is_action') ?? false;
    const timestamp = v.optionalTime(input, 'timestamp');
    const message = this.deps.world.postMessage(channel, sender, { content, isAction, timestamp });
    return { message: this.deps.world.messageWithSender(message) };
  }

  /** Replaces osu!'s chat filters (`chat_filters`). */
  setFilters(input: unknown): void {
    if (!Array.isArray(input)) v.bad('filters must be an array');
    this.deps.world.filters = input.map((f: unknown) => {
      const filter = only(f, 'filter', ['match', 'replacement', 'block', 'whitespace_delimited']);
      return {
        match: v.requiredString(filter, 'match', 1, 1000),
        replacement: v.optionalString(filter, 'replacement', 0, 1000) ?? '***',
        block: v.optionalBool(filter, 'block') ?? false,
        whitespace_delimited: v.optionalBool(filter, 'whitespace_delimited') ?? false,
      };
    });
  }

  /** Changes limits (throttle windows and activity timeout in seconds). */
  updateConfig(input: Partial<EmulatorConfig>) {
    const object = v.object(input, 'config');
    const next = { ...this.deps.world.config };
    for (const [key, value] of Object.entries(object)) {
      if (!(key in DEFAULT_CONFIG)) v.bad(`unknown config key ${key}`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        v.bad(`${key} must be a number ≥ 0`);
      next[key as keyof EmulatorConfig] = value;
    }
    this.deps.world.config = next;
    return { config: { ...next } };
  }

  // ---- network, faults, clock, reset -----------------------------------------------------------------------

  /** Terminates sockets abruptly, as a network failure would (all, or one user's). */
  dropSockets(input: { user_id?: number } = {}) {
    only(input, 'body', ['user_id']);
    const userId = v.optionalInt(input, 'user_id');
    return { dropped: this.deps.sockets.drop(userId ?? null) };
  }

  /** Replaces the scripted API faults (see `Fault`). */
  setFaults(input: unknown): void {
    if (!Array.isArray(input)) v.bad('faults must be an array');
    const faults: Fault[] = input.map((f: unknown) => {
      const fault = only(f, 'fault', ['method', 'path', 'status', 'body', 'delay_ms', 'times']);
      const method = v.requiredString(fault, 'method', 1, 10).toUpperCase();
      const path = v.requiredString(fault, 'path', 1, 1000);
      if (!path.startsWith('/') && path !== '*') v.bad('path must start with / (e.g. /api/v2/chat/*)');
      const status = v.optionalInt(fault, 'status') ?? undefined;
      if (status !== undefined && (status < 200 || status > 599)) v.bad('status must be 200–599');
      const delayMs = v.optionalInt(fault, 'delay_ms') ?? undefined;
      if (delayMs !== undefined && (delayMs < 0 || delayMs > 600_000)) v.bad('delay_ms must be 0–600000');
      const times = v.optionalInt(fault, 'times') ?? undefined;
      if (times !== undefined && times < 1) v.bad('times must be ≥ 1');
      if (status === undefined && delayMs === undefined) v.bad('a fault needs status or delay_ms');
      if (fault.body !== undefined && status === undefined) v.bad('body needs status');
      return { method, path, status, body: fault.body, delay_ms: delayMs, times };
    });
    this.deps.faults.set(faults);
  }

  /** Removes every scripted fault. */
  clearFaults(): void {
    this.deps.faults.clear();
  }

  /** Moves the emulator's clock: `{advance_ms}` forward, or `{now}` (ISO 8601) to a point in time. */
  setClock(input: { advance_ms?: number; now?: string }) {
    only(input, 'body', ['advance_ms', 'now']);
    if (input.advance_ms !== undefined && input.now !== undefined) v.bad('give advance_ms or now, not both');
    const advance = v.optionalInt(input, 'advance_ms');
    const now = v.optionalTime(input, 'now');
    if (advance !== null) this.deps.clock.advance(advance);
    else if (now !== undefined) this.deps.clock.set(now);
    else v.bad('give advance_ms or now');
    return { now: new Date(this.deps.clock.now()).toISOString() };
  }

  /** Empties the world and applies a seed (`empty` by default). Open sockets are dropped. */
  reset(input: { seed?: SeedName } = {}): void {
    only(input, 'body', ['seed']);
    const seed = v.optionalOneOf(input, 'seed', ['empty', 'demo'] as const) ?? 'empty';
    this.stopTraffic();
    this.deps.sockets.drop(null);
    this.deps.faults.clear();
    this.deps.world.clear();
    this.deps.world.config = { ...DEFAULT_CONFIG, ...this.deps.limits };
    this.seededTokens = applySeed(this, seed);
  }

  /** Simulated users post `perSecond` messages a second in public channels (0 stops). */
  startTraffic(perSecond: number): void {
    this.stopTraffic();
    if (perSecond > 0) this.stopTrafficFn = startTraffic(this.deps.world, perSecond);
  }

  /** Stops simulated traffic, if any. */
  stopTraffic(): void {
    this.stopTrafficFn?.();
    this.stopTrafficFn = undefined;
  }

  /** Everything: users, channels, memberships, messages, config. */
  state() {
    return this.deps.world.snapshot();
  }

  // ---- HTTP routes -----------------------------------------------------------------------------------------

  /** Handles `/_emulator/…`; `undefined` for an unknown route. */
  async handle(request: ParsedRequest): Promise<Reply | undefined> {
    const { method, path } = request;
    const parts = path.split('/').slice(2);
    const [resource, id, sub, target] = parts;
    if (method === 'GET' && resource === 'avatars' && id) return avatarSvg(id);
    if (method === 'GET' && resource === 'covers' && id) return avatarSvg(id, true);
    const body = () => {
      if (request.malformedBody) v.bad('malformed JSON body');
      return request.body ?? {};
    };
    const params = () => v.object(body(), 'body');
    /** Routes whose body may be omitted. */
    const optionalParams = () => (request.body === undefined && !request.malformedBody ? {} : params());
    try {
      const num = (text: string | undefined) => v.pathInt(text);
      const ok = (value: unknown, status = 200): Reply => ({ status, body: value });
      const none: Reply = { status: 204 };
      switch (`${method} ${resource}${parts.length > 1 ? `/${parts.length}` : ''}`) {
        case 'POST users':
          return ok(this.createUser(params() as never), 201);
        case 'PATCH users/2':
          return ok(this.updateUser(num(id), params()));
        case 'PUT users/4':
        case 'DELETE users/4': {
          if (sub !== 'friends' && sub !== 'blocks') return undefined;
          const on = method === 'PUT';
          if (sub === 'friends') this.setFriend(num(id), num(target), on);
          else this.setBlock(num(id), num(target), on);
          return none;
        }
        case 'POST tokens':
          return ok(this.createToken(params() as never), 201);
        case 'DELETE tokens/2':
          this.revokeToken(id as string);
          return none;
        case 'POST tokens/3':
          if (sub !== 'verify') return undefined;
          this.verifyToken(id as string);
          return none;
        case 'POST channels':
          return ok(this.createChannel(params() as never), 201);
        case 'PUT channels/4':
          if (sub !== 'members') return undefined;
          this.setMember(num(id), num(target), optionalParams());
          return none;
        case 'DELETE channels/4':
          if (sub !== 'members') return undefined;
          this.removeMember(num(id), num(target));
          return none;
        case 'POST channels/3':
          if (sub !== 'messages') return undefined;
          return ok(this.postMessage(num(id), params() as never), 201);
        case 'PUT filters':
          this.setFilters(body());
          return none;
        case 'PATCH config':
          return ok(this.updateConfig(params()));
        case 'POST sockets/2':
          if (id !== 'drop') return undefined;
          return ok(this.dropSockets(optionalParams()));
        case 'PUT faults':
          this.setFaults(body());
          return none;
        case 'DELETE faults':
          this.clearFaults();
          return none;
        case 'POST clock':
          return ok(this.setClock(params()));
        case 'POST traffic':
          this.startTraffic(v.requiredNumber(only(params(), 'body', ['per_second']), 'per_second'));
          return none;
        case 'POST reset':
          this.reset(optionalParams() as never);
          return none;
        case 'GET state':
          return ok(this.state());
        default:
          return undefined;
      }
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, body: error.body };
      throw error;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private user(id: number): UserRecord {
    return this.deps.world.users.get(id) ?? this.missing(`unknown user ${id}`);
  }

  private channel(id: number): ChannelRecord {
    return this.deps.world.channels.get(id) ?? this.missing(`unknown channel ${id}`);
  }

  private missing(error: string): never {
    throw new HttpError(404, { error });
  }

  private userJson(user: UserRecord) {
    const flags = Object.fromEntries(FLAG_NAMES.map((name) => [name, user[name]]));
    return { ...this.deps.world.userJson(user), ...flags };
  }

  private channelJson(channel: ChannelRecord) {
    return {
      channel_id: channel.id,
      name: channel.name,
      description: channel.description,
      type: channel.type,
      moderated: channel.moderated,
      last_message_id: channel.lastMessageId,
      users: [...(this.deps.world.members.get(channel.id)?.keys() ?? [])],
    };
  }
}
