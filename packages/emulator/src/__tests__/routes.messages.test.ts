// §2.11 history and §2.12 send over HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import {
  api,
  messageTimeAt,
  presenceIds,
  recordPublished,
  setupUsers,
  startEmulator,
  T0,
  type TestUser,
  userCompactOf,
} from './helpers.js';

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let osu: number;
beforeEach(async () => {
  emu = await startEmulator();
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob'], { scopes: ['*'] }));
  osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] }).channel.channel_id;
});
afterEach(() => emu.close());

const pmOf = (a: TestUser, b: TestUser) =>
  emu.createChannel({ type: 'PM', members: [a.id, b.id] }).channel.channel_id;
const post = (channelId: number, sender: TestUser, content: string, timestamp?: number) =>
  emu.postMessage(channelId, {
    sender_id: sender.id,
    content,
    ...(timestamp === undefined ? {} : { timestamp: new Date(timestamp).toISOString() }),
  }).message.message_id;

describe('§2.11 GET /chat/channels/{channel}/messages', () => {
  const history = (query = '', as: TestUser = alice, channelId = osu) =>
    api(emu, as.token, 'GET', `/chat/channels/${channelId}/messages${query}`);
  const ids = async (query = '', as: TestUser = alice, channelId = osu) => {
    const response = await history(query, as, channelId);
    expect(response.status).toBe(200);
    return (response.body as { message_id: number }[]).map((m) => m.message_id);
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  describe('paging', () => {
    beforeEach(() => {
      for (let i = 1; i <= 60; i++) post(osu, bob, `m${i}`);
    });

    it('§2.11 default: the 50 newest, ascending, each with sender and without uuid', async () => {
      const response = await history();
      const messages = response.body as Record<string, unknown>[];
      expect(messages.map((m) => m.message_id)).toEqual(range(11, 60));
      expect(messages[49]).toEqual({
        message_id: 60,
        channel_id: osu,
        sender_id: bob.id,
        content: 'm60',
        is_action: false,
        timestamp: messageTimeAt(),
        type: 'plain',
        sender: userCompactOf(emu, bob),
      });
    });

    it('§2.11 limit is clamped to 1..50', async () => {
      expect(await ids('?limit=0')).toEqual([60]);
      expect(await ids('?limit=-5')).toEqual([60]);
      expect(await ids('?limit=3')).toEqual([58, 59, 60]);
      expect(await ids('?limit=100')).toEqual(range(11, 60));
    });

    it('§2.11 since (0 included) → the oldest messages after it, ascending; until is then ignored', async () => {
      expect(await ids('?since=0')).toEqual(range(1, 50));
      expect(await ids('?since=55')).toEqual(range(56, 60));
      expect(await ids('?since=10&limit=3')).toEqual([11, 12, 13]);
      expect(await ids('?since=10&until=12&limit=3')).toEqual([11, 12, 13]);
      expect(await ids('?since=60')).toEqual([]);
    });

    it('§2.11 until → the newest messages before it, ascending', async () => {
      expect(await ids('?until=11')).toEqual(range(1, 10));
      expect(await ids('?until=30&limit=5')).toEqual(range(25, 29));
      expect(await ids('?until=1')).toEqual([]);
    });
  });

  it('§2.11 return_object=1 → {messages without sender, users: unique senders}', async () => {
    post(osu, alice, 'a');
    post(osu, bob, 'b');
    post(osu, alice, 'c');
    const response = await history('?return_object=1');
    expect(response.status).toBe(200);
    const message = (id: number, sender: TestUser, content: string) => ({
      message_id: id,
      channel_id: osu,
      sender_id: sender.id,
      content,
      is_action: false,
      timestamp: messageTimeAt(),
      type: 'plain',
    });
    expect(response.body).toEqual({
      messages: [message(1, alice, 'a'), message(2, bob, 'b'), message(3, alice, 'c')],
      users: [userCompactOf(emu, alice), userCompactOf(emu, bob)],
    });
  });

  it('§2.11 PUBLIC drops messages older than 24 h after LIMIT, so fewer than limit may come back', async () => {
    const day = 24 * 3_600_000;
    for (let i = 0; i < 3; i++) post(osu, bob, `old${i}`, T0 - day - 3_600_000);
    post(osu, bob, 'exactly 24 h old', T0 - day);
    post(osu, bob, 'just inside', T0 - day + 1_000);
    post(osu, bob, 'new');
    expect(await ids('?since=0&limit=5')).toEqual([5]);
    expect(await ids('?since=0&limit=3')).toEqual([]);
    expect(await ids()).toEqual([5, 6]);
    expect(await ids('?limit=1')).toEqual([6]);
  });

  it('§2.11 the 24 h backlog does not apply to PMs', async () => {
    const pm = pmOf(alice, bob);
    post(pm, bob, 'ancient', T0 - 30 * 24 * 3_600_000);
    post(pm, bob, 'new');
    expect(await ids('', alice, pm)).toEqual([1, 2]);
  });

  it('§2.11 user commands (^![^ !]) are hidden from everyone but their sender', async () => {
    post(osu, bob, '!help');
    post(osu, bob, '! not a command');
    post(osu, bob, '!!neither');
    post(osu, bob, 'hello');
    expect(await ids('', alice)).toEqual([2, 3, 4]);
    expect(await ids('', bob)).toEqual([1, 2, 3, 4]);
  });

  it('§2.11 history never carries the uuid a message was sent with', async () => {
    const sent = await api(emu, alice.token, 'POST', `/chat/channels/${osu}/messages`, {
      message: 'hi',
      uuid: 'u-9',
    });
    expect(sent.body).toMatchObject({ uuid: 'u-9' });
    const [message] = (await history()).body as Record<string, unknown>[];
    expect(message).not.toHaveProperty('uuid');
  });

  it('§2.11 unknown channel → 404 model text; not a member → 404 null; hidden member may read', async () => {
    const unknown = await history('', alice, 999);
    expect([unknown.status, unknown.body]).toEqual([
      404,
      { error: "Specified Chat\\Channel couldn't be found." },
    ]);
    const { carol } = setupUsers(emu, ['carol']);
    const notMember = await history('', carol);
    expect([notMember.status, notMember.body]).toEqual([404, { error: null }]);
    const pm = pmOf(alice, bob);
    post(pm, bob, 'hi');
    emu.setMember(pm, alice.id, { hidden: true });
    expect(await ids('', alice, pm)).toEqual([1]);
  });

  it('§2.11 a PM whose other user is restricted → 404 {"error":null}', async () => {
    const pm = pmOf(alice, bob);
    post(pm, bob, 'hi');
    emu.updateUser(bob.id, { restricted: true });
    const response = await history('', alice, pm);
    expect([response.status, response.body]).toEqual([404, { error: null }]);
    expect(await ids('', bob, pm)).toEqual([1]);
  });
});

describe('§2.12 POST /chat/channels/{channel}/messages', () => {
  const send = (channelId: number, body: unknown, as: TestUser = alice) =>
    api(emu, as.token, 'POST', `/chat/channels/${channelId}/messages`, body);

  it('§2.12 success: the message with sender, uuid echoed when given', async () => {
    const response = await send(osu, { message: 'hello', uuid: 'c0ffee' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message_id: 1,
      channel_id: osu,
      sender_id: alice.id,
      content: 'hello',
      is_action: false,
      timestamp: messageTimeAt(),
      type: 'plain',
      uuid: 'c0ffee',
      sender: userCompactOf(emu, alice),
    });
    const plain = await send(osu, { message: 'again' });
    expect(plain.body).not.toHaveProperty('uuid');
  });

  it('§2.12 type: plain, action, and markdown in ANNOUNCE channels (action wins)', async () => {
    emu.updateUser(alice.id, { announcer: true });
    const news = emu.createChannel({ name: 'news', type: 'ANNOUNCE', members: [alice.id, bob.id] }).channel
      .channel_id;
    const types = [];
    for (const [channelId, is_action] of [
      [osu, false],
      [osu, true],
      [news, false],
      [news, true],
    ] as const) {
      const response = await send(channelId, { message: 'x', is_action });
      expect(response.status).toBe(200);
      types.push((response.body as { type: string }).type);
    }
    expect(types).toEqual(['plain', 'action', 'markdown', 'action']);
  });

  it("§2.12 moves the channel's last_message_id and the sender's last_read_id", async () => {
    post(osu, bob, 'before');
    await send(osu, { message: 'mine' });
    post(osu, bob, 'after');
    const view = async (user: TestUser) =>
      (
        (await api(emu, user.token, 'GET', `/chat/channels/${osu}`)).body as {
          channel: Record<string, unknown>;
        }
      ).channel;
    expect(await view(alice)).toMatchObject({ last_message_id: 3, last_read_id: 2 });
    expect(await view(bob)).toMatchObject({ last_message_id: 3, last_read_id: 3 });
  });

  it('§2.12 unhides hidden PM memberships of both users, without a join event', async () => {
    const pm = pmOf(alice, bob);
    expect((await api(emu, bob.token, 'DELETE', `/chat/channels/${pm}/users/${bob.id}`)).status).toBe(204);
    expect((await api(emu, alice.token, 'DELETE', `/chat/channels/${pm}/users/${alice.id}`)).status).toBe(
      204,
    );
    expect(await presenceIds(emu, alice)).toEqual([osu]);
    expect(await presenceIds(emu, bob)).toEqual([osu]);
    const joins = recordPublished(emu, 'chat.channel.join');
    expect((await send(pm, { message: 'still there?' })).status).toBe(200);
    joins.stop();
    expect(await presenceIds(emu, alice)).toEqual([osu, pm]);
    expect(await presenceIds(emu, bob)).toEqual([osu, pm]);
    expect(joins.userIds()).toEqual([]);
  });

  it('§2.12 message ids are one sequence across channels', async () => {
    const pm = pmOf(alice, bob);
    const sent = [];
    for (const channelId of [osu, pm, osu, pm]) {
      sent.push(((await send(channelId, { message: 'x' })).body as { message_id: number }).message_id);
    }
    expect(sent).toEqual([1, 2, 3, 4]);
  });

  it('§2.12 extra fields (target_id, target_type, channel_id) are ignored', async () => {
    const response = await send(osu, {
      message: 'hi',
      target_id: bob.id,
      target_type: 'channel',
      channel_id: 999,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ channel_id: osu, content: 'hi' });
  });

  it('§2.12 nothing is joined implicitly: non-members → 403; unknown channel → 404 model text', async () => {
    const { carol } = setupUsers(emu, ['carol']);
    const notMember = await send(osu, { message: 'hi' }, carol);
    expect([notMember.status, notMember.body]).toEqual([
      403,
      { error: 'You do not have access to that channel.' },
    ]);
    expect((await api(emu, carol.token, 'GET', `/chat/channels/${osu}`)).status).toBe(404);
    const unknown = await send(999, { message: 'hi' });
    expect([unknown.status, unknown.body]).toEqual([
      404,
      { error: "Specified Chat\\Channel couldn't be found." },
    ]);
  });
});
