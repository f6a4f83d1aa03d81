// §1 conventions over the real HTTP API: authentication, scopes, session verification, parameter parsing,
// the API throttle, timestamps, unknown routes and CORS; plus /me and /notifications.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import { api, messageTimeAt, setupUsers, startEmulator, userCompactOf } from './helpers.js';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

/** Every chat route of §2 plus /me and /notifications, with the scope it declares. */
const ROUTES = [
  ['POST', '/chat/ack', 'chat.read'],
  ['POST', '/chat/new', 'chat.write'],
  ['GET', '/chat/updates?since=0', '*'],
  ['GET', '/chat/presence', '*'],
  ['GET', '/chat/channels', 'chat.read'],
  ['POST', '/chat/channels', 'chat.write_manage'],
  ['GET', '/chat/channels/1', 'chat.read'],
  ['PUT', '/chat/channels/1/users/2', 'chat.write_manage'],
  ['DELETE', '/chat/channels/1/users/2', 'chat.write_manage'],
  ['PUT', '/chat/channels/1/mark-as-read/1', 'chat.read'],
  ['GET', '/chat/channels/1/messages', 'chat.read'],
  ['POST', '/chat/channels/1/messages', 'chat.write'],
  ['GET', '/me', 'identify'],
  ['GET', '/notifications', '*'],
] as const;

const THIRD_PARTY = ['chat.read', 'chat.write', 'chat.write_manage', 'identify'] as const;

describe('§1.2 authentication', () => {
  it.each(ROUTES)(
    '§1.2 %s %s without a bearer token → 401 {"authentication":"basic"}',
    async (method, path) => {
      const response = await api(emu, null, method, path);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ authentication: 'basic' });
    },
  );

  it('§1.2 an unknown, malformed or revoked token → 401 {"authentication":"basic"}', async () => {
    const { alice } = setupUsers(emu, ['alice']);
    const unknown = await api(emu, 'not-a-token', 'GET', '/chat/channels');
    const basic = await api(emu, null, 'GET', '/chat/channels', undefined, {
      headers: { Authorization: `Basic ${alice.token}` },
    });
    emu.revokeToken(alice.token);
    const revoked = await api(emu, alice.token, 'GET', '/chat/channels');
    for (const response of [unknown, basic, revoked]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ authentication: 'basic' });
    }
  });
});

describe('§1.3 scopes', () => {
  it.each(ROUTES.filter(([, , scope]) => scope !== '*'))(
    '§1.3 %s %s with a token lacking %s → 403 "A required scope is missing."',
    async (method, path, scope) => {
      const { alice } = setupUsers(emu, ['alice']);
      const { token } = emu.createToken({
        user_id: alice.id,
        scopes: THIRD_PARTY.filter((s) => s !== scope),
      });
      const response = await api(emu, token, method, path);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: 'A required scope is missing.' });
    },
  );

  it.each(ROUTES.filter(([, , scope]) => scope === '*'))(
    '§1.3 lazer-only %s %s with every third-party scope → 403 "Invalid scope(s) provided."',
    async (method, path) => {
      const { alice } = setupUsers(emu, ['alice']);
      const response = await api(emu, alice.token, method, path);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: 'Invalid scope(s) provided.' });
    },
  );

  it('§1.3 a `*` token passes the scope check of every route', async () => {
    const { alice, bob } = setupUsers(emu, ['alice', 'bob'], { scopes: ['*'] });
    const osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] }).channel.channel_id;
    emu.postMessage(osu, { sender_id: alice.id, content: 'hello' });
    const calls = [
      ['POST', '/chat/ack', undefined, 200],
      ['POST', '/chat/new', { target_id: bob.id, message: 'hi' }, 200],
      ['GET', '/chat/updates?since=0', undefined, 200],
      ['GET', '/chat/presence', undefined, 200],
      ['GET', '/chat/channels', undefined, 200],
      ['POST', '/chat/channels', { type: 'PM', target_id: bob.id }, 200],
      ['GET', `/chat/channels/${osu}`, undefined, 200],
      ['PUT', `/chat/channels/${osu}/users/${alice.id}`, undefined, 200],
      ['PUT', `/chat/channels/${osu}/mark-as-read/1`, undefined, 204],
      ['GET', `/chat/channels/${osu}/messages`, undefined, 200],
      ['POST', `/chat/channels/${osu}/messages`, { message: 'again' }, 200],
      ['DELETE', `/chat/channels/${osu}/users/${alice.id}`, undefined, 204],
      ['GET', '/me', undefined, 200],
      ['GET', '/notifications', undefined, 200],
    ] as const;
    for (const [method, path, body, status] of calls) {
      const response = await api(emu, alice.token, method, path, body);
      expect({ method, path, status: response.status }).toEqual({ method, path, status });
    }
  });

  it('§1.3 `identify` alone is enough for /me and for nothing in chat', async () => {
    const { alice } = setupUsers(emu, ['alice']);
    const { token } = emu.createToken({ user_id: alice.id, scopes: ['identify'] });
    expect((await api(emu, token, 'GET', '/me')).status).toBe(200);
    const channels = await api(emu, token, 'GET', '/chat/channels');
    expect(channels.status).toBe(403);
    expect(channels.body).toEqual({ error: 'A required scope is missing.' });
  });
});

describe('§1.4 session verification', () => {
  it('§1.4 an unverified token gets 401 {"method":"mail"} on DELETE, POST and PUT but may GET', async () => {
    const { alice } = setupUsers(emu, ['alice']);
    const osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] }).channel.channel_id;
    const { token } = emu.createToken({ user_id: alice.id, scopes: ['*'], verified: false });
    for (const [method, path, body] of [
      ['DELETE', `/chat/channels/${osu}/users/${alice.id}`, undefined],
      ['POST', `/chat/channels/${osu}/messages`, { message: 'hi' }],
      ['POST', '/chat/ack', undefined],
      ['PUT', `/chat/channels/${osu}/users/${alice.id}`, undefined],
      ['PUT', `/chat/channels/${osu}/mark-as-read/1`, undefined],
    ] as const) {
      const response = await api(emu, token, method, path, body);
      expect({ method, path, status: response.status, body: response.body }).toEqual({
        method,
        path,
        status: 401,
        body: { method: 'mail' },
      });
    }
    expect((await api(emu, token, 'GET', `/chat/channels/${osu}`)).status).toBe(200);
    expect((await api(emu, token, 'GET', `/chat/channels/${osu}/messages`)).status).toBe(200);
    expect((await api(emu, token, 'GET', '/chat/updates?since=0')).status).toBe(200);
    // Nothing was sent or left.
    expect(emu.state().messages).toEqual([]);
    expect(emu.state().memberships).toHaveLength(1);
  });

  it('§1.4 once verified, the same token may post', async () => {
    const { alice } = setupUsers(emu, ['alice']);
    const osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] }).channel.channel_id;
    const { token } = emu.createToken({ user_id: alice.id, scopes: ['*'], verified: false });
    emu.verifyToken(token);
    expect((await api(emu, token, 'POST', `/chat/channels/${osu}/messages`, { message: 'hi' })).status).toBe(
      200,
    );
  });
});

describe('§1.6 parameter parsing', () => {
  let alice: { id: number; token: string };
  let osu: number;
  beforeEach(() => {
    ({ alice } = setupUsers(emu, ['alice'], { scopes: ['*'] }));
    osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] }).channel.channel_id;
  });
  const send = (path: string, body?: unknown, form = false) =>
    api(emu, alice.token, 'POST', `/chat/channels/${osu}/messages${path}`, body, { form });
  const history = async (query: string) => {
    const response = await api(emu, alice.token, 'GET', `/chat/channels/${osu}/messages?${query}`);
    expect(response.status).toBe(200);
    return (response.body as { message_id: number }[]).map((m) => m.message_id);
  };

  it('§1.6 params are read from the query string, a JSON body and a form body', async () => {
    const fromQuery = await send('?message=from%20query&uuid=q');
    const fromJson = await send('', { message: 'from json', uuid: 'j' });
    const fromForm = await send('', 'message=from+form&uuid=f', true);
    expect(
      [fromQuery, fromJson, fromForm].map((r) => [r.status, (r.body as { content: string }).content]),
    ).toEqual([
      [200, 'from query'],
      [200, 'from json'],
      [200, 'from form'],
    ]);
    expect((fromForm.body as { uuid: string }).uuid).toBe('f');
  });

  it('§1.6 the body wins over the query string for the same key', async () => {
    const response = await send('?message=query', { message: 'body' });
    expect((response.body as { content: string }).content).toBe('body');
  });

  it('§1.6 form arrays and objects: target_ids[]=…&channel[name]=…', async () => {
    const { announcer } = setupUsers(emu, ['announcer'], { scopes: ['*'] });
    emu.updateUser(announcer.id, { announcer: true });
    const { bob, carol } = setupUsers(emu, ['bob', 'carol']);
    const form = `type=ANNOUNCE&target_ids[]=${bob.id}&target_ids[]=${carol.id}&channel[name]=news&channel[description]=d&message=hello`;
    const response = await api(emu, announcer.token, 'POST', '/chat/channels', form, { form: true });
    expect(response.status).toBe(200);
    const channel = response.body as { channel_id: number; name: string; description: string };
    expect([channel.name, channel.description]).toEqual(['news', 'd']);
    const members = emu
      .state()
      .memberships.filter((m) => m.channel_id === channel.channel_id)
      .map((m) => m.user_id);
    expect(members.sort((a, b) => a - b)).toEqual([bob.id, carol.id, announcer.id].sort((a, b) => a - b));
  });

  it('§1.6 :int casts like PHP: "abc" → 0 (limit clamps to 1), "12abc" → 12, "1e1" → 10, " 2.9" → 2', async () => {
    for (let i = 0; i < 20; i++) emu.postMessage(osu, { sender_id: alice.id, content: `m${i + 1}` });
    expect(await history('limit=abc')).toEqual([20]);
    expect(await history('limit=12abc')).toHaveLength(12);
    expect(await history('limit=3&since=4xyz')).toEqual([5, 6, 7]);
    expect(await history('limit=1e1')).toHaveLength(10);
    expect(await history('limit=3&since=%202.9')).toEqual([3, 4, 5]);
    expect(await history('limit=3&since=1.5e1')).toEqual([16, 17, 18]);
    expect(await history('limit=.5')).toEqual([20]);
  });

  it('§1.6 an empty string is null: since= is absent (newest page), since=0 is present (oldest page)', async () => {
    for (let i = 0; i < 60; i++) emu.postMessage(osu, { sender_id: alice.id, content: `m${i + 1}` });
    expect((await history('since='))[0]).toBe(11);
    expect((await history('since=0'))[0]).toBe(1);
    const updates = await api(emu, alice.token, 'GET', '/chat/updates?since=');
    expect(updates.status).toBe(422);
    expect(updates.body).toEqual({ error: null });
    const noUuid = await send('', 'message=hi&uuid=', true);
    expect(noUuid.body).not.toHaveProperty('uuid');
  });

  it.each([
    ['on', true],
    ['1', true],
    ['true', true],
    ['0', false],
    ['false', false],
    ['yes', false],
    ['TRUE', false],
    ['', false],
  ])('§1.6 :bool is_action=%j → %s', async (value, action) => {
    const response = await send('', `message=hi&is_action=${value}`, true);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ is_action: action, type: action ? 'action' : 'plain' });
  });

  it('§1.6 :bool from JSON: true and 1 are true, "yes" is null → false', async () => {
    const results = [];
    for (const is_action of [true, 1, 'yes', false, null]) {
      results.push(((await send('', { message: 'hi', is_action })).body as { is_action: boolean }).is_action);
    }
    expect(results).toEqual([true, true, false, false, false]);
  });
});

describe('§1.7 API throttle', () => {
  it('§1.7 the request over the per-minute limit gets 429 with Laravel headers; a minute later it resets', async () => {
    emu.updateConfig({ api_throttle_per_minute: 3 });
    const { alice } = setupUsers(emu, ['alice']);
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const response = await api(emu, alice.token, 'GET', '/chat/channels');
      expect(response.status).toBe(200);
      expect(response.headers.get('X-RateLimit-Limit')).toBe('3');
      remaining.push(response.headers.get('X-RateLimit-Remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    emu.clock.advance(20_000);
    const over = await api(emu, alice.token, 'GET', '/chat/channels');
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ error: 'Too Many Attempts.' });
    expect(over.headers.get('Retry-After')).toBe('40');
    expect(over.headers.get('X-RateLimit-Limit')).toBe('3');
    expect(over.headers.get('X-RateLimit-Remaining')).toBe('0');

    const other = emu.createToken({ user_id: alice.id, scopes: ['chat.read'] });
    expect((await api(emu, other.token, 'GET', '/chat/channels')).status).toBe(200);

    emu.clock.advance(40_000);
    const again = await api(emu, alice.token, 'GET', '/chat/channels');
    expect(again.status).toBe(200);
    expect(again.headers.get('X-RateLimit-Remaining')).toBe('2');
  });
});

describe('§1.8 timestamps', () => {
  it('§1.8 message timestamps are YYYY-MM-DDTHH:MM:SSZ; last_visit is ATOM with +00:00', async () => {
    const { alice } = setupUsers(emu, ['alice']);
    const osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] }).channel.channel_id;
    emu.clock.advance(1_999);
    const sent = await api(emu, alice.token, 'POST', `/chat/channels/${osu}/messages`, { message: 'hi' });
    const message = sent.body as { timestamp: string; sender: { last_visit: string } };
    expect(message.timestamp).toBe(messageTimeAt(1_000));
    expect(message.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(message.sender.last_visit).toBe('2025-01-01T12:00:00+00:00');
  });
});

describe('§1.1 routing, CORS, /me and /notifications', () => {
  it('§1.1 an unknown /api/v2 route is 404 {"error":null}, even without a token', async () => {
    for (const path of ['/chat/nope', '/chat/channels/1/users', '/nothing']) {
      const response = await api(emu, null, 'GET', path);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: null });
    }
  });

  it('§1.1 a known path with the wrong method is 405', async () => {
    const { alice } = setupUsers(emu, ['alice']);
    for (const [method, path] of [
      ['DELETE', '/chat/channels'],
      ['GET', '/chat/ack'],
      ['POST', '/chat/channels/1/mark-as-read/1'],
    ] as const) {
      const response = await api(emu, alice.token, method, path);
      expect(response.status).toBe(405);
      expect(response.body).toEqual({ error: null });
    }
  });

  it('§1.1 a CORS preflight is 204 and allows the Origin and the Authorization header', async () => {
    const response = await fetch(`${emu.apiUrl}/api/v2/chat/channels/1/messages`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:5173');
    expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    const { alice } = setupUsers(emu, ['alice']);
    const actual = await api(emu, alice.token, 'GET', '/chat/channels', undefined, {
      headers: { Origin: 'http://localhost:5173' },
    });
    expect(actual.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:5173');
  });

  it('GET /me returns the caller as UserCompact with is_restricted and session_verified', async () => {
    const { alice } = setupUsers(emu, ['alice']);
    const response = await api(emu, alice.token, 'GET', '/me');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...userCompactOf(emu, { ...alice, username: 'alice' }),
      is_restricted: false,
      session_verified: true,
    });
  });

  it('GET /notifications returns notification_endpoint = the socket URL', async () => {
    const { alice } = setupUsers(emu, ['alice'], { scopes: ['*'] });
    const response = await api(emu, alice.token, 'GET', '/notifications');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      has_more: false,
      notifications: [],
      unread_count: 0,
      notification_endpoint: emu.socketUrl,
    });
    expect(emu.socketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/home\/notifications\/feed$/);
  });
});
