// Shared helpers for the emulator's integration tests: start an emulator on a frozen clock, create users, and
// call the HTTP API with real `fetch`.
import { createEmulator, type Emulator, type EmulatorOptions, type Scope } from '../index.js';
import type { WorldEvent } from '../types.js';

/** The instant a test emulator's clock starts at (whole second, so timestamps are predictable). */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** `YYYY-MM-DDTHH:MM:SSZ` of `T0 + offsetMs`, as message timestamps render (§1.8). */
export function messageTimeAt(offsetMs = 0): string {
  return `${new Date(T0 + offsetMs).toISOString().slice(0, 19)}Z`;
}

/**
 * Starts an emulator whose clock stands still at `T0` until a test moves it with `emu.clock.advance(ms)`.
 * The chat send throttle (§4.3) is relaxed so tests can send several messages in the same second; pass
 * `limits` to override.
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({
    clock: { now: () => T0 },
    ...options,
    limits: { chat_public_limit: 1000, chat_private_limit: 1000, ...options.limits },
  });
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or `undefined` when the body is empty. */
  body: unknown;
  /** The raw body text (`''` for 204). */
  text: string;
  headers: Headers;
}

export interface ApiOptions {
  /** Send `body` as `application/x-www-form-urlencoded` (a string is sent as is). */
  form?: boolean;
  headers?: Record<string, string>;
}

/**
 * One HTTP request. `path` is relative to `/api/v2` unless it starts with `/api/` or `/_emulator/`; a null
 * `token` sends no Authorization header; an object `body` is sent as JSON unless `form` is set.
 *
 * @example
 * ```ts
 * const { status, body } = await api(emu, alice.token, 'POST', '/chat/ack', { since: 0 });
 * ```
 */
export async function api(
  emu: Emulator,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  options: ApiOptions = {},
): Promise<ApiResponse> {
  const url = /^\/(api|_emulator)\//.test(path) ? `${emu.apiUrl}${path}` : `${emu.apiUrl}/api/v2${path}`;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    if (options.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      payload =
        typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString();
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  const response = await fetch(url, { method, headers, body: payload });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : JSON.parse(text),
    text,
    headers: response.headers,
  };
}

export interface TestUser {
  id: number;
  username: string;
  token: string;
}

/**
 * Creates one user per name (the name is the username) with a token of `scopes` (the emulator's default,
 * third-party scopes, when omitted).
 *
 * @example
 * ```ts
 * const { alice, bob } = setupUsers(emu, ['alice', 'bob'], { scopes: ['*'] });
 * ```
 */
export function setupUsers<const N extends string>(
  emu: Emulator,
  names: readonly N[],
  options: { scopes?: Scope[] } = {},
): Record<N, TestUser> {
  const users = {} as Record<N, TestUser>;
  for (const name of names) {
    const { user, token } = emu.createUser({
      username: name,
      ...(options.scopes ? { scopes: options.scopes } : {}),
    });
    users[name] = { id: user.id, username: user.username, token };
  }
  return users;
}

/** The avatar URL the emulator renders for a user (`avatar_url`, PM `icon`). */
export function avatarOf(emu: Emulator, userId: number): string {
  return `${emu.apiUrl}/_emulator/avatars/${userId}.svg`;
}

/**
 * UserCompact (§3.3) of a plain test user as rendered at `T0` (no socket open, so `is_online` is false).
 * Override fields for flagged users.
 */
export function userCompactOf(emu: Emulator, user: TestUser, overrides: Record<string, unknown> = {}) {
  return {
    avatar_url: avatarOf(emu, user.id),
    country_code: 'AU',
    default_group: 'default',
    id: user.id,
    is_active: true,
    is_bot: false,
    is_deleted: false,
    is_online: false,
    is_supporter: false,
    last_visit: `${new Date(T0).toISOString().slice(0, 19)}+00:00`,
    pm_friends_only: false,
    profile_colour: null,
    username: user.username,
    ...overrides,
  };
}

/** Ids of the channels `GET /chat/presence` lists for `user` (needs a `*` token), ascending. */
export async function presenceIds(emu: Emulator, user: TestUser): Promise<number[]> {
  const response = await api(emu, user.token, 'GET', '/chat/presence');
  if (response.status !== 200) throw new Error(`presence: HTTP ${response.status} ${response.text}`);
  return (response.body as { channel_id: number }[]).map((c) => c.channel_id).sort((a, b) => a - b);
}

/**
 * Records what the world publishes under one event name (`chat.message.new`, `chat.channel.join`, …) and to
 * whom, without a socket: the recipients a websocket would deliver to. Call `stop()` when done.
 */
export function recordPublished(emu: Emulator, event: string) {
  const events: { userId: number; data: Record<string, unknown> }[] = [];
  const stop = emu.world.subscribe((e: WorldEvent) => {
    if (e.type === 'publish' && e.event === event) events.push({ userId: e.userId, data: e.data });
  });
  return { events, userIds: () => events.map((e) => e.userId), stop };
}
