// §2.7–§2.10 over HTTP: show, join, part, mark-as-read.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelType, Emulator } from '../index.js';
import {
  api,
  avatarOf,
  presenceIds,
  recordPublished,
  setupUsers,
  startEmulator,
  type TestUser,
  userCompactOf,
} from './helpers.js';

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
beforeEach(async () => {
  emu = await startEmulator();
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob'], { scopes: ['*'] }));
});
afterEach(() => emu.close());

const NO_ACCESS = { error: 'You do not have access to that channel.' };
const ACCESS_DENIED = { error: 'Access denied.' };

const channel = (type: ChannelType, members: number[] = [alice.id], name = `#${type.toLowerCase()}`) =>
  emu.createChannel(type === 'PM' ? { type, members } : { name, type, members }).channel.channel_id;

describe('§2.7 GET /chat/channels/{channel}', () => {
  it('§2.7 unknown id → 404 model text; not a member → 404 {"error":null}', async () => {
    const unknown = await api(emu, alice.token, 'GET', '/chat/channels/999');
    expect([unknown.status, unknown.body]).toEqual([
      404,
      { error: "Specified Chat\\Channel couldn't be found." },
    ]);
    const osu = channel('PUBLIC', [bob.id]);
    const notMember = await api(emu, alice.token, 'GET', `/chat/channels/${osu}`);
    expect([notMember.status, notMember.body]).toEqual([404, { error: null }]);
  });

  it('§2.7 PUBLIC: LISTING_INCLUDES and users []; a hidden membership still counts', async () => {
    const announce = channel('ANNOUNCE', [alice.id], 'news');
    emu.setMember(announce, alice.id, { hidden: true });
    const osu = channel('PUBLIC');
    const response = await api(emu, alice.token, 'GET', `/chat/channels/${osu}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      channel: {
        channel_id: osu,
        name: '#public',
        description: '',
        icon: null,
        type: 'PUBLIC',
        message_length_limit: 450,
        moderated: false,
        uuid: null,
        current_user_attributes: {
          can_list_users: false,
          can_message: true,
          can_message_error: null,
          last_read_id: null,
        },
        last_read_id: null,
        last_message_id: null,
        users: [],
      },
      users: [],
    });
    const hidden = await api(emu, alice.token, 'GET', `/chat/channels/${announce}`);
    expect(hidden.status).toBe(200);
    expect(hidden.body).toMatchObject({
      channel: { type: 'ANNOUNCE', message_length_limit: 1024 },
      users: [],
    });
  });

  it('§2.7 PM: users are both users as cards (country, cover, groups, team)', async () => {
    const pm = channel('PM', [alice.id, bob.id]);
    const response = await api(emu, bob.token, 'GET', `/chat/channels/${pm}`);
    expect(response.status).toBe(200);
    const card = (user: TestUser) => ({
      ...userCompactOf(emu, user),
      country: { code: 'AU', name: 'Australia' },
      cover: { custom_url: null, url: `${emu.apiUrl}/_emulator/covers/${user.id}.svg`, id: '1' },
      groups: [],
      team: null,
    });
    expect(response.body).toEqual({
      channel: {
        channel_id: pm,
        name: 'alice',
        description: '',
        icon: avatarOf(emu, alice.id),
        type: 'PM',
        message_length_limit: 450,
        moderated: false,
        uuid: null,
        current_user_attributes: {
          can_list_users: false,
          can_message: true,
          can_message_error: null,
          last_read_id: null,
        },
        last_read_id: null,
        last_message_id: null,
        users: [alice.id, bob.id],
      },
      users: [card(alice), card(bob)],
    });
  });
});

describe('§2.8 PUT /chat/channels/{channel}/users/{user}', () => {
  const join = (channelId: number, userId = alice.id, as = alice) =>
    api(emu, as.token, 'PUT', `/chat/channels/${channelId}/users/${userId}`);

  it('§2.8 unknown channel → 404 model text', async () => {
    const response = await join(999);
    expect([response.status, response.body]).toEqual([
      404,
      { error: "Specified Chat\\Channel couldn't be found." },
    ]);
  });

  it('§2.8 PUBLIC: joined with LISTING_INCLUDES; again → 200 with the same body and no event', async () => {
    const osu = channel('PUBLIC', []);
    const joins = recordPublished(emu, 'chat.channel.join');
    const first = await join(osu);
    const second = await join(osu);
    joins.stop();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      channel_id: osu,
      name: '#public',
      description: '',
      icon: null,
      type: 'PUBLIC',
      message_length_limit: 450,
      moderated: false,
      uuid: null,
      current_user_attributes: {
        can_list_users: false,
        can_message: true,
        can_message_error: null,
        last_read_id: null,
      },
      last_read_id: null,
      last_message_id: null,
      users: [],
    });
    expect([second.status, second.body]).toEqual([200, first.body]);
    expect(joins.events.map((e) => e.userId)).toEqual([alice.id]);
    expect(await presenceIds(emu, alice)).toEqual([osu]);
  });

  it('§2.8 PUBLIC is open to restricted and silenced users', async () => {
    const osu = channel('PUBLIC', []);
    const { carol } = setupUsers(emu, ['carol']);
    emu.updateUser(bob.id, { restricted: true });
    emu.updateUser(carol.id, { silenced: true });
    for (const user of [bob, carol]) {
      const response = await join(osu, user.id, user);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        current_user_attributes: {
          can_message: false,
          can_message_error: 'You cannot send messages while silenced, restricted or banned.',
        },
      });
    }
  });

  it.each([
    ['PM', NO_ACCESS],
    ['PRIVATE', NO_ACCESS],
    ['ANNOUNCE', NO_ACCESS],
    ['GROUP', NO_ACCESS],
    ['SPECTATOR', NO_ACCESS],
    ['MULTIPLAYER', ACCESS_DENIED],
    ['TEAM', ACCESS_DENIED],
  ] as const)('§2.8 %s → 403 %j', async (type, error) => {
    const { carol } = setupUsers(emu, ['carol']);
    const id = channel(type, type === 'PM' ? [bob.id, carol.id] : []);
    const response = await join(id);
    expect([response.status, response.body]).toEqual([403, error]);
    expect(emu.state().memberships.filter((m) => m.user_id === alice.id)).toEqual([]);
  });

  it('§2.8 restricted users are refused every non-PUBLIC channel with the restricted message', async () => {
    emu.updateUser(alice.id, { restricted: true });
    const response = await join(channel('PRIVATE', []));
    expect([response.status, response.body]).toEqual([
      403,
      { error: 'You cannot send messages while silenced, restricted or banned.' },
    ]);
  });

  it('§2.8 another user id → 403 {"error":null}, after the channel privilege check', async () => {
    const osu = channel('PUBLIC', []);
    const other = await join(osu, bob.id);
    expect([other.status, other.body]).toEqual([403, { error: null }]);
    const { carol } = setupUsers(emu, ['carol']);
    const pm = channel('PM', [bob.id, carol.id]);
    const pmOther = await join(pm, bob.id);
    expect([pmOther.status, pmOther.body]).toEqual([403, NO_ACCESS]);
    expect(emu.state().memberships.filter((m) => m.channel_id === osu)).toEqual([]);
  });
});

describe('§2.9 DELETE /chat/channels/{channel}/users/{user}', () => {
  const part = (channelId: number, userId = alice.id) =>
    api(emu, alice.token, 'DELETE', `/chat/channels/${channelId}/users/${userId}`);
  const show = (channelId: number) => api(emu, alice.token, 'GET', `/chat/channels/${channelId}`);

  it('§2.9 PUBLIC: 204 with an empty body, the membership is deleted', async () => {
    const osu = channel('PUBLIC');
    const response = await part(osu);
    expect([response.status, response.text]).toEqual([204, '']);
    const after = await show(osu);
    expect([after.status, after.body]).toEqual([404, { error: null }]);
    expect(await presenceIds(emu, alice)).toEqual([]);
  });

  it('§2.9 PM and ANNOUNCE are hidden: show still 200, presence drops them; leaving again emits nothing', async () => {
    const pm = channel('PM', [alice.id, bob.id]);
    const news = channel('ANNOUNCE', [alice.id, bob.id], 'news');
    const parts = recordPublished(emu, 'chat.channel.part');
    for (const id of [pm, news]) expect((await part(id)).status).toBe(204);
    for (const id of [pm, news]) expect((await show(id)).status).toBe(200);
    expect(await presenceIds(emu, alice)).toEqual([]);
    expect(await presenceIds(emu, bob)).toEqual([pm, news].sort((a, b) => a - b));
    expect((await part(pm)).status).toBe(204);
    parts.stop();
    expect(parts.events.map((e) => e.data.channel_id)).toEqual([pm, news]);
  });

  it('§2.9 not a member → 204; unknown channel → 404; PRIVATE/TEAM → 403 "Access denied."', async () => {
    const notMember = await part(channel('PUBLIC', [bob.id]));
    expect([notMember.status, notMember.text]).toEqual([204, '']);
    const unknown = await part(999);
    expect([unknown.status, unknown.body]).toEqual([
      404,
      { error: "Specified Chat\\Channel couldn't be found." },
    ]);
    for (const type of ['PRIVATE', 'TEAM'] as const) {
      const response = await part(channel(type));
      expect([response.status, response.body]).toEqual([403, ACCESS_DENIED]);
    }
    expect(emu.state().memberships.filter((m) => m.user_id === alice.id)).toHaveLength(2);
  });

  it('§2.9 another user id → 403 {"error":null}', async () => {
    const osu = channel('PUBLIC', [alice.id, bob.id]);
    const response = await part(osu, bob.id);
    expect([response.status, response.body]).toEqual([403, { error: null }]);
    expect((await api(emu, bob.token, 'GET', `/chat/channels/${osu}`)).status).toBe(200);
  });
});

describe('§2.10 PUT /chat/channels/{channel}/mark-as-read/{message}', () => {
  const mark = (channelId: number, messageId: number | string) =>
    api(emu, alice.token, 'PUT', `/chat/channels/${channelId}/mark-as-read/${messageId}`);
  const lastRead = async (channelId: number) => {
    const body = (await api(emu, alice.token, 'GET', `/chat/channels/${channelId}`)).body as {
      channel: { last_read_id: number | null; current_user_attributes: { last_read_id: number | null } };
    };
    expect(body.channel.current_user_attributes.last_read_id).toBe(body.channel.last_read_id);
    return body.channel.last_read_id;
  };

  it('§2.10 204 with an empty body; the marker never moves backwards', async () => {
    const osu = channel('PUBLIC');
    for (let i = 0; i < 5; i++) emu.postMessage(osu, { sender_id: bob.id, content: `m${i}` });
    const response = await mark(osu, 4);
    expect([response.status, response.text]).toEqual([204, '']);
    expect(await lastRead(osu)).toBe(4);
    expect((await mark(osu, 2)).status).toBe(204);
    expect(await lastRead(osu)).toBe(4);
    expect((await mark(osu, 5)).status).toBe(204);
    expect(await lastRead(osu)).toBe(5);
  });

  it('§2.10 the message id is not validated', async () => {
    const osu = channel('PUBLIC');
    expect((await mark(osu, 12345)).status).toBe(204);
    expect(await lastRead(osu)).toBe(12345);
  });

  it('§2.10 no membership → 404 "Specified Chat\\UserChannel couldn\'t be found."', async () => {
    const error = { error: "Specified Chat\\UserChannel couldn't be found." };
    for (const id of [channel('PUBLIC', [bob.id]), 999]) {
      const response = await mark(id, 1);
      expect([response.status, response.body]).toEqual([404, error]);
    }
  });
});
