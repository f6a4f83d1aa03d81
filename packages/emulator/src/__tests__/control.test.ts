// The control API (/_emulator/…) over real HTTP, and the same operations as methods of the handle. Websocket
// checks use a real `ws` client; nothing sleeps: a frame that must NOT arrive is shown absent by awaiting a
// later frame that does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createEmulator, DEFAULT_CONFIG, type Emulator, THIRD_PARTY_SCOPES } from '../index.js';
import { api, messageTimeAt, startEmulator, T0 } from './helpers.js';

/** A control API call: `path` is relative to `/_emulator`. */
const ctl = (emu: Emulator, method: string, path: string, body?: unknown) =>
  api(emu, null, method, `/_emulator${path}`, body);

interface Frame {
  event?: string;
  error?: string;
  data?: Record<string, unknown> & {
    channel_id?: number;
    messages?: { content: string; sender_id: number }[];
  };
}

/** A websocket client that records frames; `next` waits for the first matching frame after the last match. */
class Client {
  readonly frames: Frame[] = [];
  readonly closed: Promise<number>;
  private cursor = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const waiter of [...this.waiters]) waiter();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  /** Connects with `Authorization: Bearer`, waits for `connection.ready`, then sends `chat.start`. */
  static async connect(emu: Emulator, token: string): Promise<Client> {
    const client = new Client(
      new WebSocket(emu.socketUrl, { headers: { Authorization: `Bearer ${token}` } }),
    );
    await client.next((f) => f.event === 'connection.ready');
    client.ws.send(JSON.stringify({ event: 'chat.start' }));
    await client.sync();
    return client;
  }

  next(predicate: (frame: Frame) => boolean, timeoutMs = 2000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = this.cursor; i < this.frames.length; i++) {
          const frame = this.frames[i] as Frame;
          if (!predicate(frame)) continue;
          this.cursor = i + 1;
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(frame);
          return;
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching frame; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves once the server has read everything sent before (pongs come back in order). */
  sync(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('pong', () => resolve());
      this.ws.ping();
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

const newMessage = (content: string) => (f: Frame) =>
  f.event === 'chat.message.new' && f.data?.messages?.[0]?.content === content;

let emu: Emulator;
const clients: Client[] = [];
const connect = async (token: string) => {
  const client = await Client.connect(emu, token);
  clients.push(client);
  return client;
};

beforeEach(async () => {
  emu = await startEmulator();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await emu.close();
});

describe('control: users', () => {
  it('POST /_emulator/users → 201 {user, token}; the token has the third-party scopes by default (§1.3)', async () => {
    const response = await ctl(emu, 'POST', '/users', { username: 'alice' });
    expect(response.status).toBe(201);
    const { user, token } = response.body as { user: { id: number }; token: string };
    expect(user).toEqual({
      avatar_url: `${emu.apiUrl}/_emulator/avatars/${user.id}.svg`,
      country_code: 'AU',
      default_group: 'default',
      id: 2,
      is_active: true,
      is_bot: false,
      is_deleted: false,
      is_online: false,
      is_supporter: false,
      last_visit: `${new Date(T0).toISOString().slice(0, 19)}+00:00`,
      pm_friends_only: false,
      profile_colour: null,
      username: 'alice',
      restricted: false,
      silenced: false,
      bot: false,
      moderator: false,
      announcer: false,
    });
    expect(token).toMatch(/^\S+$/);
    // chat.read → 200; a lazer-only route → 403 (no `*`); identify → /me.
    expect((await api(emu, token, 'GET', '/chat/channels')).status).toBe(200);
    expect(await api(emu, token, 'GET', '/chat/presence')).toMatchObject({
      status: 403,
      body: { error: 'Invalid scope(s) provided.' },
    });
    expect(await api(emu, token, 'GET', '/me')).toMatchObject({ status: 200, body: { id: user.id } });
    expect(THIRD_PARTY_SCOPES).toEqual(['chat.read', 'chat.write', 'chat.write_manage', 'identify']);
  });

  it('POST /_emulator/users takes every flag and `scopes`', async () => {
    const response = await ctl(emu, 'POST', '/users', {
      username: 'mod',
      restricted: false,
      silenced: true,
      bot: true,
      moderator: true,
      announcer: true,
      pm_friends_only: true,
      scopes: ['*'],
    });
    expect(response.status).toBe(201);
    const { user, token } = response.body as { user: Record<string, unknown>; token: string };
    expect(user).toMatchObject({
      username: 'mod',
      restricted: false,
      silenced: true,
      bot: true,
      is_bot: true,
      moderator: true,
      announcer: true,
      pm_friends_only: true,
    });
    expect((await api(emu, token, 'GET', '/chat/presence')).status).toBe(200);
  });

  it.each([
    [{}, 'username must be a string'],
    [{ username: '' }, 'username must be 1–32 characters'],
    [{ username: 'x', silenced: 1 }, 'silenced must be a boolean'],
    [{ username: 'x', scopes: ['*', 'chat.read'] }, 'scopes: "*" cannot be mixed with other scopes'],
    [
      { username: 'x', silence: true },
      expect.stringMatching(/^unknown field silence; expected username, scopes/),
    ],
  ])('POST /_emulator/users %j → 400', async (body, error) => {
    const response = await ctl(emu, 'POST', '/users', body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error });
  });

  it('POST /_emulator/users with a taken username (osu! compares case-insensitively, space = _) → 400', async () => {
    emu.createUser({ username: 'Cool Guy' });
    const response = await ctl(emu, 'POST', '/users', { username: 'cool_guy' });
    expect(response).toMatchObject({ status: 400, body: { error: 'username cool_guy is taken' } });
  });

  it('PATCH /_emulator/users/:id → 200 {user}; silencing records a silence that /chat/ack reports (§3.5)', async () => {
    const { user: bob } = emu.createUser({ username: 'bob' });
    const { token } = emu.createUser({ username: 'watcher' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [bob.id] });
    emu.postMessage(1, { sender_id: bob.id, content: 'before' });
    emu.clock.advance(1000);
    const response = await ctl(emu, 'PATCH', `/users/${bob.id}`, { silenced: true });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ user: { id: bob.id, silenced: true, restricted: false } });
    expect(await api(emu, token, 'POST', '/chat/ack', { since: 1 })).toMatchObject({
      status: 200,
      body: { silences: [{ id: 1, user_id: bob.id }] },
    });
  });

  it('PATCH /_emulator/users: unknown id → 404, bad id or field → 400', async () => {
    expect(await ctl(emu, 'PATCH', '/users/999', { bot: true })).toMatchObject({
      status: 404,
      body: { error: 'unknown user 999' },
    });
    expect(await ctl(emu, 'PATCH', '/users/x', { bot: true })).toMatchObject({
      status: 400,
      body: { error: 'x is not an id' },
    });
    const { user } = emu.createUser({ username: 'a' });
    expect(await ctl(emu, 'PATCH', `/users/${user.id}`, { username: 'b' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^unknown field username/) },
    });
  });

  it('PUT/DELETE /_emulator/users/:id/friends|blocks/:target → 204, and the relation takes effect (§4.1)', async () => {
    const { user: alice, token } = emu.createUser({ username: 'alice' });
    const { user: bob } = emu.createUser({ username: 'bob', pm_friends_only: true });
    const pm = () => api(emu, token, 'POST', '/chat/new', { target_id: bob.id, message: 'hi' });
    expect(await pm()).toMatchObject({
      status: 403,
      body: { error: 'User is blocking messages from people not on their friends list.' },
    });

    const put = await ctl(emu, 'PUT', `/users/${bob.id}/friends/${alice.id}`);
    expect(put).toMatchObject({ status: 204, text: '' });
    expect(emu.state().users.find((u) => u.id === bob.id)?.friends).toEqual([alice.id]);
    emu.clock.advance(1000);
    expect((await pm()).status).toBe(200);

    expect((await ctl(emu, 'PUT', `/users/${alice.id}/blocks/${bob.id}`)).status).toBe(204);
    emu.clock.advance(1000);
    expect(await pm()).toMatchObject({
      status: 403,
      body: { error: 'Cannot message a user that is blocking you or that you have blocked.' },
    });
    expect((await ctl(emu, 'DELETE', `/users/${alice.id}/blocks/${bob.id}`)).status).toBe(204);
    expect((await ctl(emu, 'DELETE', `/users/${bob.id}/friends/${alice.id}`)).status).toBe(204);
    expect(emu.state().users.find((u) => u.id === bob.id)).toMatchObject({ friends: [], blocks: [] });
    expect(emu.state().users.find((u) => u.id === alice.id)).toMatchObject({ friends: [], blocks: [] });
  });

  it('friends/blocks with an unknown user → 404, an unknown relation → 404 {"error":null}', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    expect(await ctl(emu, 'PUT', `/users/${user.id}/friends/77`)).toMatchObject({
      status: 404,
      body: { error: 'unknown user 77' },
    });
    expect(await ctl(emu, 'PUT', `/users/77/blocks/${user.id}`)).toMatchObject({
      status: 404,
      body: { error: 'unknown user 77' },
    });
    expect(await ctl(emu, 'PUT', `/users/${user.id}/enemies/${user.id}`)).toMatchObject({
      status: 404,
      body: { error: null },
    });
  });
});

describe('control: tokens', () => {
  it('POST /_emulator/tokens → 201 {token} with the given scopes', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    const response = await ctl(emu, 'POST', '/tokens', { user_id: user.id, scopes: ['identify'] });
    expect(response.status).toBe(201);
    const { token } = response.body as { token: string };
    expect((await api(emu, token, 'GET', '/me')).status).toBe(200);
    expect(await api(emu, token, 'GET', '/chat/channels')).toMatchObject({
      status: 403,
      body: { error: 'A required scope is missing.' },
    });
  });

  it('verified:false makes an unverified session: POST → 401 {"method":"mail"} until verified (§1.4)', async () => {
    const { user } = emu.createUser({ username: 'lazer' });
    const response = await ctl(emu, 'POST', '/tokens', { user_id: user.id, scopes: ['*'], verified: false });
    const { token } = response.body as { token: string };
    expect(await api(emu, token, 'POST', '/chat/ack')).toMatchObject({
      status: 401,
      body: { method: 'mail' },
    });
    expect((await api(emu, token, 'GET', '/chat/presence')).status).toBe(200);
    expect(await ctl(emu, 'POST', `/tokens/${token}/verify`)).toMatchObject({ status: 204 });
    expect((await api(emu, token, 'POST', '/chat/ack')).status).toBe(200);
  });

  it('POST /_emulator/tokens: bad input → 400, unknown user → 404', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    expect(await ctl(emu, 'POST', '/tokens', { user_id: user.id })).toMatchObject({
      status: 400,
      body: { error: 'scopes must be an array of strings' },
    });
    expect(await ctl(emu, 'POST', '/tokens', { user_id: '2', scopes: [] })).toMatchObject({
      status: 400,
      body: { error: 'user_id must be an integer' },
    });
    expect(await ctl(emu, 'POST', '/tokens', { user_id: 50, scopes: ['*'] })).toMatchObject({
      status: 404,
      body: { error: 'unknown user 50' },
    });
  });

  it('DELETE /_emulator/tokens/:token → 204; the API says 401 and its sockets get `logout`, then close (§5.4)', async () => {
    const { token } = emu.createUser({ username: 'alice', scopes: ['*'] });
    const { token: other } = emu.createToken({ user_id: 2, scopes: ['*'] });
    const client = await connect(token);
    const bystander = await connect(other);
    expect(await ctl(emu, 'DELETE', `/tokens/${token}`)).toMatchObject({ status: 204, text: '' });
    expect(await client.next((f) => f.event === 'logout')).toEqual({ event: 'logout' });
    await client.closed;
    expect(await api(emu, token, 'GET', '/chat/channels')).toMatchObject({
      status: 401,
      body: { authentication: 'basic' },
    });
    // The user's other session is untouched.
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
    expect(bystander.frames.some((f) => f.event === 'logout')).toBe(false);
    expect(await ctl(emu, 'DELETE', `/tokens/${token}`)).toMatchObject({
      status: 404,
      body: { error: 'unknown token' },
    });
  });
});

describe('control: channels', () => {
  it('POST /_emulator/channels PUBLIC → 201 {channel}; /chat/channels lists it (§2.5)', async () => {
    const response = await ctl(emu, 'POST', '/channels', {
      name: '#osu',
      type: 'PUBLIC',
      description: 'main',
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      channel: {
        channel_id: 1,
        name: '#osu',
        description: 'main',
        type: 'PUBLIC',
        moderated: false,
        last_message_id: null,
        users: [],
      },
    });
    const { token } = emu.createUser({ username: 'alice' });
    expect((await api(emu, token, 'GET', '/chat/channels')).body).toEqual([
      {
        channel_id: 1,
        name: '#osu',
        description: 'main',
        icon: null,
        type: 'PUBLIC',
        message_length_limit: 450,
        moderated: false,
        uuid: null,
      },
    ]);
  });

  it('§9 a PM is named #pm_{low}-{high} from its members, whatever their order, and /chat/new reuses it', async () => {
    const { user: alice, token } = emu.createUser({ username: 'alice' });
    const { user: bob } = emu.createUser({ username: 'bob' });
    const response = await ctl(emu, 'POST', '/channels', { type: 'PM', members: [bob.id, alice.id] });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      channel: { name: `#pm_${alice.id}-${bob.id}`, type: 'PM', moderated: false, users: [bob.id, alice.id] },
    });
    const { channel_id } = (response.body as { channel: { channel_id: number } }).channel;
    const sent = await api(emu, token, 'POST', '/chat/new', { target_id: bob.id, message: 'hi' });
    expect(sent.body).toMatchObject({
      new_channel_id: channel_id,
      channel: { name: 'bob', users: [alice.id, bob.id] },
    });
  });

  it.each([
    [{ type: 'PM', members: [2] }, 'a PM needs exactly two different members'],
    [{ type: 'PM', members: [2, 2] }, 'members must not repeat'],
    [{ type: 'PUBLIC' }, 'name must be a string'],
    [{ type: 'PUBLIC', name: 'x'.repeat(51) }, 'name must be 1–50 characters'],
    [{ type: 'PUBLIC', name: '#a', description: 'x'.repeat(256) }, 'description must be 0–255 characters'],
    [{ type: 'public', name: '#a' }, expect.stringMatching(/^type must be one of PUBLIC, PRIVATE/)],
    [{ type: 'PUBLIC', name: '#a', members: ['2'] }, 'members must be an array of integers'],
    [{ type: 'PUBLIC', name: '#a', topic: 'x' }, expect.stringMatching(/^unknown field topic/)],
  ])('POST /_emulator/channels %j → 400', async (body, error) => {
    emu.createUser({ username: 'alice' });
    const response = await ctl(emu, 'POST', '/channels', body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error });
  });

  it('POST /_emulator/channels: a second PM for the same pair → 400; an unknown member → 404', async () => {
    emu.createUser({ username: 'alice' });
    emu.createUser({ username: 'bob' });
    expect((await ctl(emu, 'POST', '/channels', { type: 'PM', members: [2, 3] })).status).toBe(201);
    expect(await ctl(emu, 'POST', '/channels', { type: 'PM', members: [3, 2] })).toMatchObject({
      status: 400,
      body: { error: '#pm_2-3 exists' },
    });
    expect(await ctl(emu, 'POST', '/channels', { type: 'PUBLIC', name: '#a', members: [9] })).toMatchObject({
      status: 404,
      body: { error: 'unknown user 9' },
    });
  });

  it('an ANNOUNCE channel is moderated unless told otherwise', async () => {
    const made = emu.createChannel({ name: 'News', type: 'ANNOUNCE' });
    expect(made.channel).toMatchObject({ type: 'ANNOUNCE', moderated: true });
    expect(emu.createChannel({ name: '#free', type: 'PUBLIC', moderated: true }).channel.moderated).toBe(
      true,
    );
  });

  it('§5.5 members added by POST /_emulator/channels get chat.channel.join on their socket', async () => {
    const { user: alice, token } = emu.createUser({ username: 'alice' });
    const client = await connect(token);
    const response = await ctl(emu, 'POST', '/channels', {
      name: '#lobby',
      type: 'PUBLIC',
      members: [alice.id],
    });
    expect(response.status).toBe(201);
    const frame = await client.next((f) => f.event === 'chat.channel.join');
    expect(frame.data).toMatchObject({
      channel_id: 1,
      name: '#lobby',
      type: 'PUBLIC',
      current_user_attributes: { can_message: true, last_read_id: null },
      last_message_id: null,
      users: [],
    });
  });

  it('PUT /_emulator/channels/:id/members/:userId → 204 + chat.channel.join; {hidden:true} → a hidden row, no event', async () => {
    const { user: alice, token } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#a', type: 'PUBLIC' });
    emu.createChannel({ name: '#b', type: 'PUBLIC' });
    const client = await connect(token);
    expect(await ctl(emu, 'PUT', `/channels/1/members/${alice.id}`, { hidden: true })).toMatchObject({
      status: 204,
    });
    expect(await ctl(emu, 'PUT', `/channels/2/members/${alice.id}`)).toMatchObject({ status: 204 });
    const join = await client.next((f) => f.event === 'chat.channel.join');
    expect(join.data?.channel_id).toBe(2);
    expect(client.frames.filter((f) => f.event === 'chat.channel.join')).toHaveLength(1);
    expect(emu.state().memberships).toEqual([
      { channel_id: 1, user_id: alice.id, last_read_id: null, hidden: true },
      { channel_id: 2, user_id: alice.id, last_read_id: null, hidden: false },
    ]);
  });

  it('DELETE /_emulator/channels/:id/members/:userId → 204 + chat.channel.part', async () => {
    const { user: alice, token } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#a', type: 'PUBLIC', members: [alice.id] });
    const client = await connect(token);
    expect(await ctl(emu, 'DELETE', `/channels/1/members/${alice.id}`)).toMatchObject({ status: 204 });
    expect((await client.next((f) => f.event === 'chat.channel.part')).data?.channel_id).toBe(1);
    expect(emu.state().memberships).toEqual([]);
  });

  it('members routes: unknown channel or user → 404, bad body → 400', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#a', type: 'PUBLIC' });
    expect(await ctl(emu, 'PUT', `/channels/9/members/${user.id}`)).toMatchObject({
      status: 404,
      body: { error: 'unknown channel 9' },
    });
    expect(await ctl(emu, 'PUT', '/channels/1/members/9')).toMatchObject({
      status: 404,
      body: { error: 'unknown user 9' },
    });
    expect(await ctl(emu, 'PUT', `/channels/1/members/${user.id}`, { hidden: 'yes' })).toMatchObject({
      status: 400,
      body: { error: 'hidden must be a boolean' },
    });
  });
});

describe('control: messages', () => {
  it('POST /_emulator/channels/:id/messages → 201 {message} with sender; §4.2 folding and filters apply', async () => {
    const { user: alice } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] });
    emu.setFilters([{ match: 'darn', replacement: 'd***' }]);
    const response = await ctl(emu, 'POST', '/channels/1/messages', {
      sender_id: alice.id,
      content: '  oh\ndarn  ',
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      message: {
        message_id: 1,
        channel_id: 1,
        sender_id: alice.id,
        content: 'oh d***',
        is_action: false,
        timestamp: messageTimeAt(),
        type: 'plain',
        sender: expect.objectContaining({ id: alice.id, username: 'alice' }),
      },
    });
    expect(emu.state().channels[0]).toMatchObject({ last_message_id: 1 });
    expect(emu.state().memberships[0]).toMatchObject({ last_read_id: 1 });
  });

  it('posts without permission checks or the throttle (§4.3 limit 1/s does not apply)', async () => {
    const strict = await createEmulator({ clock: { now: () => T0 } });
    try {
      const { user } = strict.createUser({ username: 'quiet', silenced: true });
      strict.createChannel({ name: '#news', type: 'PUBLIC', moderated: true });
      for (const content of ['one', 'two', 'three']) {
        const response = await ctl(strict, 'POST', '/channels/1/messages', { sender_id: user.id, content });
        expect(response.status).toBe(201);
      }
      expect(strict.state().messages.map((m) => m.content)).toEqual(['one', 'two', 'three']);
    } finally {
      await strict.close();
    }
  });

  it('timestamp may be in the past (stored at second precision); is_action makes an action', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC' });
    const response = await ctl(emu, 'POST', '/channels/1/messages', {
      sender_id: user.id,
      content: 'waves',
      is_action: true,
      timestamp: '2020-05-06T07:08:09.999Z',
    });
    expect(response.body).toMatchObject({
      message: { timestamp: '2020-05-06T07:08:09Z', is_action: true, type: 'action' },
    });
  });

  it('§4.2 the real send rules answer as osu! does: blank → 422, too long → 422, blocked by a filter → 422', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC' });
    emu.setFilters([{ match: 'spam', block: true }]);
    const post = (content: string) =>
      ctl(emu, 'POST', '/channels/1/messages', { sender_id: user.id, content });
    expect(await post(' \n ')).toMatchObject({ status: 422, body: { error: 'Cannot send blank message.' } });
    expect(await post('x'.repeat(451))).toMatchObject({
      status: 422,
      body: { error: 'The message you are trying to send is too long.' },
    });
    expect(await post('buy spam')).toMatchObject({ status: 422, body: { error: null } });
    expect(emu.state().messages).toEqual([]);
  });

  it('POST messages: bad input → 400, unknown channel or sender → 404', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC' });
    const cases: [string, unknown, number, unknown][] = [
      ['/channels/1/messages', { content: 'x' }, 400, 'sender_id must be an integer'],
      ['/channels/1/messages', { sender_id: user.id }, 400, 'content must be a string'],
      [
        '/channels/1/messages',
        { sender_id: user.id, content: 'x', timestamp: 'yesterday' },
        400,
        'timestamp must be an ISO 8601 time',
      ],
      [
        '/channels/1/messages',
        { sender_id: user.id, content: 'x', is_action: 'true' },
        400,
        'is_action must be a boolean',
      ],
      ['/channels/1/messages', { sender_id: 99, content: 'x' }, 404, 'unknown user 99'],
      ['/channels/5/messages', { sender_id: user.id, content: 'x' }, 404, 'unknown channel 5'],
    ];
    for (const [path, body, status, error] of cases) {
      expect(await ctl(emu, 'POST', path, body)).toMatchObject({ status, body: { error } });
    }
  });

  it('§5.5 a control-API message fans out to acked members of a PUBLIC channel over the websocket', async () => {
    const { user: alice, token } = emu.createUser({ username: 'alice' });
    const { user: bob } = emu.createUser({ username: 'bob' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] });
    const client = await connect(token);
    await api(emu, token, 'POST', '/chat/ack');
    await ctl(emu, 'POST', '/channels/1/messages', { sender_id: bob.id, content: 'hello alice' });
    const frame = await client.next(newMessage('hello alice'));
    expect(frame.data?.messages?.[0]).toMatchObject({ sender_id: bob.id, channel_id: 1 });
  });
});

describe('control: filters and config', () => {
  it('PUT /_emulator/filters → 204; replacement defaults to ***, whitespace_delimited matches whole words', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC' });
    const response = await ctl(emu, 'PUT', '/filters', [
      { match: 'heck' },
      { match: 'ass', replacement: 'butt', whitespace_delimited: true },
    ]);
    expect(response).toMatchObject({ status: 204, text: '' });
    const { message } = emu.postMessage(1, { sender_id: user.id, content: 'HECK, ass class' });
    expect(message.content).toBe('***, butt class');
    expect((await ctl(emu, 'PUT', '/filters', [])).status).toBe(204);
    expect(emu.postMessage(1, { sender_id: user.id, content: 'heck' }).message.content).toBe('heck');
  });

  it.each([
    [{ match: 'x' }, 'filters must be an array'],
    [[{ replacement: 'x' }], 'match must be a string'],
    [[{ match: 'x', block: 'yes' }], 'block must be a boolean'],
    [[{ match: 'x', regex: true }], expect.stringMatching(/^unknown field regex/)],
    [['x'], 'filter must be a JSON object'],
  ])('PUT /_emulator/filters %j → 400', async (body, error) => {
    expect(await ctl(emu, 'PUT', '/filters', body)).toMatchObject({ status: 400, body: { error } });
  });

  it('PATCH /_emulator/config → 200 {config} (all keys), and the new limit applies (§4.4)', async () => {
    const response = await ctl(emu, 'PATCH', '/config', { message_length_limit: 5, activity_timeout: 30 });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      config: {
        ...DEFAULT_CONFIG,
        chat_public_limit: 1000,
        chat_private_limit: 1000,
        message_length_limit: 5,
        activity_timeout: 30,
      },
    });
    const { token } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [2] });
    expect(await api(emu, token, 'POST', '/chat/channels/1/messages', { message: 'abcdef' })).toMatchObject({
      status: 422,
      body: { error: 'The message you are trying to send is too long.' },
    });
    expect((await api(emu, token, 'GET', '/chat/channels')).body).toMatchObject([
      { message_length_limit: 5 },
    ]);
  });

  it.each([
    [{ nope: 1 }, 'unknown config key nope'],
    [{ chat_public_window: -1 }, 'chat_public_window must be a number ≥ 0'],
    [{ chat_public_window: '1' }, 'chat_public_window must be a number ≥ 0'],
    [[], 'body must be a JSON object'],
  ])('PATCH /_emulator/config %j → 400', async (body, error) => {
    expect(await ctl(emu, 'PATCH', '/config', body)).toMatchObject({ status: 400, body: { error } });
  });
});

describe('control: sockets/drop', () => {
  it('POST /_emulator/sockets/drop {user_id} → 200 {dropped}; only that user’s sockets close, abruptly', async () => {
    const { user: alice, token: a } = emu.createUser({ username: 'alice' });
    const { token: b } = emu.createUser({ username: 'bob' });
    const [alice1, alice2, bob] = [await connect(a), await connect(a), await connect(b)];
    const response = await ctl(emu, 'POST', '/sockets/drop', { user_id: alice.id });
    expect(response).toMatchObject({ status: 200, body: { dropped: 2 } });
    expect(await alice1.closed).toBe(1006);
    expect(await alice2.closed).toBe(1006);
    expect(bob.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('POST /_emulator/sockets/drop without a body drops every socket; a user without sockets → {dropped: 0}', async () => {
    const { token: a } = emu.createUser({ username: 'alice' });
    const { token: b } = emu.createUser({ username: 'bob' });
    const clientsNow = [await connect(a), await connect(b)];
    expect(await ctl(emu, 'POST', '/sockets/drop', { user_id: 99 })).toMatchObject({ body: { dropped: 0 } });
    expect(await ctl(emu, 'POST', '/sockets/drop')).toMatchObject({ status: 200, body: { dropped: 2 } });
    expect(await Promise.all(clientsNow.map((c) => c.closed))).toEqual([1006, 1006]);
    expect(await ctl(emu, 'POST', '/sockets/drop', { user_id: 'x' })).toMatchObject({
      status: 400,
      body: { error: 'user_id must be an integer' },
    });
  });
});

describe('control: faults', () => {
  it('PUT /_emulator/faults → 204; a fault answers `times` requests with its status and body, then is used up', async () => {
    const { token } = emu.createUser({ username: 'alice' });
    const response = await ctl(emu, 'PUT', '/faults', [
      { method: 'GET', path: '/api/v2/chat/channels', status: 503, body: { error: 'down' }, times: 2 },
    ]);
    expect(response).toMatchObject({ status: 204, text: '' });
    for (let i = 0; i < 2; i++) {
      expect(await api(emu, token, 'GET', '/chat/channels')).toMatchObject({
        status: 503,
        body: { error: 'down' },
      });
    }
    expect(await api(emu, token, 'GET', '/chat/channels')).toMatchObject({ status: 200, body: [] });
  });

  it('a path wildcard matches any run of characters; a method mismatch or other path is untouched', async () => {
    const { token } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [2] });
    await ctl(emu, 'PUT', '/faults', [
      { method: 'post', path: '/api/v2/chat/channels/*/messages', status: 500 },
    ]);
    expect(await api(emu, token, 'POST', '/chat/channels/1/messages', { message: 'x' })).toMatchObject({
      status: 500,
      body: { error: null },
    });
    expect((await api(emu, token, 'GET', '/chat/channels/1/messages')).status).toBe(200);
    expect((await api(emu, token, 'GET', '/chat/channels')).status).toBe(200);
    // Still armed (no `times`) until cleared.
    expect((await api(emu, token, 'POST', '/chat/channels/1/messages', { message: 'x' })).status).toBe(500);
    expect(await ctl(emu, 'DELETE', '/faults')).toMatchObject({ status: 204 });
    expect((await api(emu, token, 'POST', '/chat/channels/1/messages', { message: 'x' })).status).toBe(200);
  });

  it('method "*" matches every method; faults apply before authentication; the first matching fault wins', async () => {
    await ctl(emu, 'PUT', '/faults', [
      { method: '*', path: '/api/v2/chat/ack', status: 502, times: 1 },
      { method: '*', path: '/api/v2/*', status: 418, body: 'teapot', times: 1 },
    ]);
    expect(await api(emu, null, 'POST', '/chat/ack')).toMatchObject({ status: 502, body: { error: null } });
    expect(await api(emu, null, 'POST', '/chat/ack')).toMatchObject({ status: 418, body: 'teapot' });
    expect(await api(emu, null, 'POST', '/chat/ack')).toMatchObject({
      status: 401,
      body: { authentication: 'basic' },
    });
  });

  it('delay_ms without status delays the request, which is then handled normally', async () => {
    const { token } = emu.createUser({ username: 'alice' });
    await ctl(emu, 'PUT', '/faults', [
      { method: 'GET', path: '/api/v2/chat/channels', delay_ms: 150, times: 1 },
    ]);
    const started = performance.now();
    expect(await api(emu, token, 'GET', '/chat/channels')).toMatchObject({ status: 200, body: [] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const again = performance.now();
    await api(emu, token, 'GET', '/chat/channels');
    expect(performance.now() - again).toBeLessThan(140);
  });

  it('faults never touch the control API itself', async () => {
    await ctl(emu, 'PUT', '/faults', [{ method: '*', path: '*', status: 500 }]);
    expect(await ctl(emu, 'GET', '/state')).toMatchObject({ status: 200 });
    expect((await api(emu, null, 'GET', '/chat/channels')).status).toBe(500);
  });

  it.each([
    [{}, 'faults must be an array'],
    [[{ path: '/api/v2/x', status: 500 }], 'method must be a string'],
    [[{ method: 'GET', status: 500 }], 'path must be a string'],
    [[{ method: 'GET', path: 'api/v2/x', status: 500 }], 'path must start with / (e.g. /api/v2/chat/*)'],
    [[{ method: 'GET', path: '/x', status: 99 }], 'status must be 200–599'],
    [[{ method: 'GET', path: '/x', status: 500, times: 0 }], 'times must be ≥ 1'],
    [[{ method: 'GET', path: '/x', delay_ms: -1 }], 'delay_ms must be 0–600000'],
    [[{ method: 'GET', path: '/x' }], 'a fault needs status or delay_ms'],
    [[{ method: 'GET', path: '/x', delay_ms: 5, body: {} }], 'body needs status'],
    [[{ method: 'GET', path: '/x', status: 500, when: 1 }], expect.stringMatching(/^unknown field when/)],
  ])('PUT /_emulator/faults %j → 400', async (body, error) => {
    expect(await ctl(emu, 'PUT', '/faults', body)).toMatchObject({ status: 400, body: { error } });
  });
});

describe('control: clock', () => {
  it('POST /_emulator/clock {advance_ms} → 200 {now}; new messages carry the moved time', async () => {
    const response = await ctl(emu, 'POST', '/clock', { advance_ms: 90_000 });
    expect(response).toMatchObject({ status: 200, body: { now: new Date(T0 + 90_000).toISOString() } });
    const { user } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC' });
    expect(emu.postMessage(1, { sender_id: user.id, content: 'x' }).message.timestamp).toBe(
      messageTimeAt(90_000),
    );
  });

  it('POST /_emulator/clock {now} → 200 {now}; time keeps running from there', async () => {
    const running = await createEmulator();
    try {
      const response = await ctl(running, 'POST', '/clock', { now: '2030-01-02T03:04:05Z' });
      const now = Date.parse((response.body as { now: string }).now);
      expect(response.status).toBe(200);
      expect(now - Date.UTC(2030, 0, 2, 3, 4, 5)).toBeGreaterThanOrEqual(0);
      expect(now - Date.UTC(2030, 0, 2, 3, 4, 5)).toBeLessThan(1000);
      expect(running.clock.now()).toBeGreaterThanOrEqual(now);
    } finally {
      await running.close();
    }
  });

  it('§6 advancing the clock past the activity timeout stops PUBLIC delivery to a socket that acked', async () => {
    const { user: alice, token } = emu.createUser({ username: 'alice' });
    const { user: bob } = emu.createUser({ username: 'bob' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] });
    emu.createChannel({ type: 'PM', members: [alice.id, bob.id] });
    const client = await connect(token);
    await api(emu, token, 'POST', '/chat/ack');
    await ctl(emu, 'POST', '/clock', { advance_ms: 61_000 });
    emu.postMessage(1, { sender_id: bob.id, content: 'public, too late' });
    emu.postMessage(2, { sender_id: bob.id, content: 'pm' });
    await client.next(newMessage('pm'));
    expect(client.frames.some(newMessage('public, too late'))).toBe(false);
  });

  it.each([
    [{}, 'give advance_ms or now'],
    [{ advance_ms: 1, now: '2030-01-01T00:00:00Z' }, 'give advance_ms or now, not both'],
    [{ advance_ms: 1.5 }, 'advance_ms must be an integer'],
    [{ now: 'soon' }, 'now must be an ISO 8601 time'],
  ])('POST /_emulator/clock %j → 400', async (body, error) => {
    expect(await ctl(emu, 'POST', '/clock', body)).toMatchObject({ status: 400, body: { error } });
  });
});

describe('control: reset and state', () => {
  it('GET /_emulator/state → 200 {users, channels, memberships, messages, config}', async () => {
    const { user: alice } = emu.createUser({ username: 'alice' });
    emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] });
    emu.postMessage(1, { sender_id: alice.id, content: 'hi' });
    const response = await ctl(emu, 'GET', '/state');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      users: [
        expect.objectContaining({
          id: alice.id,
          username: 'alice',
          restricted: false,
          silenced: false,
          bot: false,
          moderator: false,
          announcer: false,
          pm_friends_only: false,
          friends: [],
          blocks: [],
        }),
      ],
      channels: [
        {
          channel_id: 1,
          name: '#osu',
          description: '',
          icon: null,
          type: 'PUBLIC',
          message_length_limit: 450,
          moderated: false,
          uuid: null,
          last_message_id: 1,
        },
      ],
      memberships: [{ channel_id: 1, user_id: alice.id, last_read_id: 1, hidden: false }],
      messages: [
        {
          message_id: 1,
          channel_id: 1,
          sender_id: alice.id,
          content: 'hi',
          is_action: false,
          timestamp: messageTimeAt(),
          type: 'plain',
        },
      ],
      config: { ...DEFAULT_CONFIG, chat_public_limit: 1000, chat_private_limit: 1000 },
    });
    expect(response.body).toEqual(emu.state());
  });

  it('POST /_emulator/reset → 204 and an empty world; sockets are dropped, faults cleared, limits kept', async () => {
    const { token } = emu.createUser({ username: 'alice' });
    const client = await connect(token);
    emu.setFaults([{ method: 'GET', path: '*', status: 500 }]);
    emu.updateConfig({ message_length_limit: 3 });
    expect(await ctl(emu, 'POST', '/reset')).toMatchObject({ status: 204, text: '' });
    expect(await client.closed).toBe(1006);
    expect(emu.state()).toEqual({
      users: [],
      channels: [],
      memberships: [],
      messages: [],
      config: { ...DEFAULT_CONFIG, chat_public_limit: 1000, chat_private_limit: 1000 },
    });
    expect(await api(emu, token, 'GET', '/chat/channels')).toMatchObject({ status: 401 });
    expect(emu.seededTokens).toEqual([]);
  });

  it('POST /_emulator/reset {seed:"demo"} → 204 and the demo world; ids start again from the beginning', async () => {
    emu.createUser({ username: 'alice' });
    expect(await ctl(emu, 'POST', '/reset', { seed: 'demo' })).toMatchObject({ status: 204 });
    const state = emu.state();
    expect(state.users[0]).toMatchObject({ id: 2, username: 'Mio' });
    expect(state.channels.map((c) => c.name)).toEqual(expect.arrayContaining(['#osu', '#lobby', '#help']));
    expect(emu.seededTokens.length).toBeGreaterThan(0);
    expect((await api(emu, emu.seededTokens[0]?.token ?? '', 'GET', '/chat/channels')).status).toBe(200);
  });

  it('POST /_emulator/reset: bad seed or malformed body → 400', async () => {
    expect(await ctl(emu, 'POST', '/reset', { seed: 'full' })).toMatchObject({
      status: 400,
      body: { error: 'seed must be one of empty, demo' },
    });
    const response = await fetch(`${emu.apiUrl}/_emulator/reset`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{oops',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'malformed JSON body' });
  });

  it('§1.7 after a reset a new token does not inherit the API throttle count of an old token with the same id', async () => {
    const tight = await createEmulator({ clock: { now: () => T0 }, limits: { api_throttle_per_minute: 1 } });
    try {
      const first = tight.createUser({ username: 'a' }).token;
      expect((await api(tight, first, 'GET', '/chat/channels')).status).toBe(200);
      expect((await api(tight, first, 'GET', '/chat/channels')).status).toBe(429);
      tight.reset();
      const second = tight.createUser({ username: 'a' }).token;
      expect((await api(tight, second, 'GET', '/chat/channels')).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});

describe('control: HTTP and methods agree', () => {
  it('the same script through HTTP and through the handle’s methods gives identical answers and state', async () => {
    const other = await startEmulator();
    try {
      const viaMethods = (() => {
        const alice = emu.createUser({ username: 'alice', moderator: true });
        const bob = emu.createUser({ username: 'bob' });
        const updated = emu.updateUser(bob.user.id, { pm_friends_only: true });
        emu.setFriend(bob.user.id, alice.user.id, true);
        emu.setBlock(alice.user.id, bob.user.id, true);
        emu.setBlock(alice.user.id, bob.user.id, false);
        const pub = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.user.id] });
        const pm = emu.createChannel({ type: 'PM', members: [bob.user.id, alice.user.id] });
        emu.setMember(1, bob.user.id, { hidden: true });
        emu.setFilters([{ match: 'bad', replacement: 'good' }]);
        const message = emu.postMessage(1, {
          sender_id: bob.user.id,
          content: 'bad day',
          timestamp: '2024-01-01T00:00:00Z',
        });
        const config = emu.updateConfig({ public_backlog_hours: 48 });
        const clock = emu.setClock({ advance_ms: 5000 });
        return [alice.user, updated.user, pub, pm, message, config, clock];
      })();
      const viaHttp = [];
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await ctl(other, method, path, body);
        expect(response.status).toBeLessThan(300);
        return response.body as Record<string, unknown> | undefined;
      };
      viaHttp.push((await call('POST', '/users', { username: 'alice', moderator: true }))?.user);
      await call('POST', '/users', { username: 'bob' });
      viaHttp.push((await call('PATCH', '/users/3', { pm_friends_only: true }))?.user);
      await call('PUT', '/users/3/friends/2');
      await call('PUT', '/users/2/blocks/3');
      await call('DELETE', '/users/2/blocks/3');
      viaHttp.push(await call('POST', '/channels', { name: '#osu', type: 'PUBLIC', members: [2] }));
      viaHttp.push(await call('POST', '/channels', { type: 'PM', members: [3, 2] }));
      await call('PUT', '/channels/1/members/3', { hidden: true });
      await call('PUT', '/filters', [{ match: 'bad', replacement: 'good' }]);
      viaHttp.push(
        await call('POST', '/channels/1/messages', {
          sender_id: 3,
          content: 'bad day',
          timestamp: '2024-01-01T00:00:00Z',
        }),
      );
      viaHttp.push(await call('PATCH', '/config', { public_backlog_hours: 48 }));
      viaHttp.push(await call('POST', '/clock', { advance_ms: 5000 }));

      const sameOrigin = (value: unknown, from: Emulator) =>
        JSON.parse(JSON.stringify(value).replaceAll(from.apiUrl, 'ORIGIN'));
      expect(sameOrigin(viaHttp, other)).toEqual(sameOrigin(viaMethods, emu));
      expect(sameOrigin((await ctl(other, 'GET', '/state')).body, other)).toEqual(
        sameOrigin(emu.state(), emu),
      );
    } finally {
      await other.close();
    }
  });

  it('the handle’s methods throw the HTTP error the route would answer', () => {
    expect(() => emu.updateUser(42, { bot: true })).toThrow(
      expect.objectContaining({ status: 404, body: { error: 'unknown user 42' } }),
    );
    expect(() => emu.createChannel({ type: 'PUBLIC' })).toThrow(
      expect.objectContaining({ status: 400, body: { error: 'name must be a string' } }),
    );
  });
});

describe('control: avatars', () => {
  it('GET /_emulator/avatars/:id.svg serves an SVG, so avatar_url works offline', async () => {
    const { user } = emu.createUser({ username: 'alice' });
    const response = await fetch(user.avatar_url as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(await response.text()).toMatch(/^<svg /);
  });
});

describe('control: traffic', () => {
  it('startTraffic makes the demo crowd post in public channels; a socket that acked receives it', async () => {
    emu.reset({ seed: 'demo' });
    const mio = emu.seededTokens.find((t) => t.username === 'Mio' && t.scopes.includes('*'));
    const client = await connect(mio?.token ?? '');
    await api(emu, mio?.token ?? '', 'POST', '/chat/ack');
    const tokenHolders = new Set(emu.seededTokens.map((t) => t.id));
    emu.startTraffic(50);
    const frame = await client.next((f) => f.event === 'chat.message.new');
    const message = frame.data?.messages?.[0];
    expect(tokenHolders.has(message?.sender_id ?? 0)).toBe(false);
    expect(message?.content).toEqual(expect.any(String));
    emu.stopTraffic();
  });

  it('POST /_emulator/traffic {per_second} → 204; 0 stops it; a bad rate → 400', async () => {
    emu.reset({ seed: 'demo' });
    const mio = emu.seededTokens.find((t) => t.username === 'Mio' && t.scopes.includes('*'));
    const client = await connect(mio?.token ?? '');
    await api(emu, mio?.token ?? '', 'POST', '/chat/ack');
    expect(await ctl(emu, 'POST', '/traffic', { per_second: 100 })).toMatchObject({ status: 204 });
    await client.next((f) => f.event === 'chat.message.new');
    expect(await ctl(emu, 'POST', '/traffic', { per_second: 0 })).toMatchObject({ status: 204 });
    const count = emu.world.messageCount;
    // Stopped: a message posted now is the next one the socket sees after whatever was in flight.
    emu.postMessage(1, { sender_id: mio?.id ?? 0, content: 'marker' });
    await client.next(newMessage('marker'));
    expect(emu.world.messageCount).toBe(count + 1);
    expect(await ctl(emu, 'POST', '/traffic', { per_second: -1 })).toMatchObject({
      status: 400,
      body: { error: 'per_second must be a number ≥ 0' },
    });
  });
});

describe('demo seed', () => {
  beforeEach(() => {
    emu.reset({ seed: 'demo' });
  });

  it('has the public channels #osu, #lobby and #help, listed by GET /chat/channels', async () => {
    const token = emu.seededTokens[1]?.token ?? '';
    const { status, body } = await api(emu, token, 'GET', '/chat/channels');
    expect(status).toBe(200);
    const names = (body as { name: string; type: string }[]).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['#osu', '#lobby', '#help']));
    expect((body as { type: string }[]).every((c) => c.type === 'PUBLIC')).toBe(true);
  });

  it('every seeded user has a `*` token and a third-party token, and both work', async () => {
    const byUser = new Map<number, typeof emu.seededTokens>();
    for (const token of emu.seededTokens) byUser.set(token.id, [...(byUser.get(token.id) ?? []), token]);
    expect(byUser.size).toBeGreaterThanOrEqual(3);
    for (const [id, tokens] of byUser) {
      expect(tokens.map((t) => t.scopes)).toEqual([['*'], [...THIRD_PARTY_SCOPES]]);
      expect(emu.state().users.find((u) => u.id === id)?.username).toBe(tokens[0]?.username);
      const [star, thirdParty] = tokens.map((t) => t.token) as [string, string];
      expect((await api(emu, star, 'GET', '/chat/presence')).status).toBe(200);
      expect((await api(emu, thirdParty, 'GET', '/chat/channels')).status).toBe(200);
      expect((await api(emu, thirdParty, 'GET', '/chat/presence')).status).toBe(403);
    }
  });

  it('has a PM with messages, an announcement, and history that rises in id and time together', async () => {
    const state = emu.state();
    const pm = state.channels.find((c) => c.type === 'PM');
    const announce = state.channels.find((c) => c.type === 'ANNOUNCE');
    expect(pm?.name).toMatch(/^#pm_\d+-\d+$/);
    expect(announce).toMatchObject({ moderated: true, message_length_limit: 1024 });
    const inChannel = (id: number | undefined) => state.messages.filter((m) => m.channel_id === id);
    expect(inChannel(pm?.channel_id).length).toBeGreaterThanOrEqual(1);
    expect(inChannel(announce?.channel_id)).toMatchObject([{ type: 'markdown' }]);
    expect(state.messages.length).toBeGreaterThanOrEqual(20);
    const times = state.messages.map((m) => m.timestamp as string);
    expect([...times].sort()).toEqual(times);

    // A seeded user sees the PM and the announcement in presence, and #osu history through the API.
    const mio = emu.seededTokens.find((t) => t.username === 'Mio' && t.scopes.includes('*'));
    const presence = (await api(emu, mio?.token ?? '', 'GET', '/chat/presence')).body as { type: string }[];
    expect(presence.map((c) => c.type)).toEqual(expect.arrayContaining(['PUBLIC', 'PM', 'ANNOUNCE']));
    const osu = state.channels.find((c) => c.name === '#osu');
    const history = await api(emu, mio?.token ?? '', 'GET', `/chat/channels/${osu?.channel_id}/messages`);
    expect(history.status).toBe(200);
    expect((history.body as unknown[]).length).toBeGreaterThan(0);
  });
});
