// §2.2–§2.5 over HTTP: POST /chat/new, /chat/updates, /chat/presence, GET /chat/channels.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import {
  api,
  avatarOf,
  messageTimeAt,
  presenceIds,
  recordPublished,
  setupUsers,
  startEmulator,
  type TestUser,
  userCompactOf,
} from './helpers.js';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

const pmName = (a: TestUser, b: TestUser) => `#pm_${Math.min(a.id, b.id)}-${Math.max(a.id, b.id)}`;

describe('§2.2 POST /chat/new', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeEach(() => {
    ({ alice, bob } = setupUsers(emu, ['alice', 'bob'], { scopes: ['*'] }));
  });
  const newPm = (from: TestUser, body: Record<string, unknown>) =>
    api(emu, from.token, 'POST', '/chat/new', body);

  it('§2.2 unknown or restricted target → 422 "target user not found"; self → 422', async () => {
    const { carol } = setupUsers(emu, ['carol']);
    emu.updateUser(carol.id, { restricted: true });
    for (const target_id of [9999, carol.id, undefined]) {
      const response = await newPm(alice, { target_id, message: 'hi' });
      expect(response.status).toBe(422);
      expect(response.body).toEqual({ error: 'target user not found' });
    }
    const self = await newPm(alice, { target_id: alice.id, message: 'hi' });
    expect(self.status).toBe(422);
    expect(self.body).toEqual({ error: "can't send message to same user" });
    expect(emu.state().channels).toEqual([]);
  });

  it('§2.2 PM privileges: blocks either way, target friends-only, sender friends-only → 403', async () => {
    const cases: [() => void, string][] = [
      [
        () => emu.setBlock(alice.id, bob.id, true),
        'Cannot message a user that is blocking you or that you have blocked.',
      ],
      [
        () => emu.setBlock(bob.id, alice.id, true),
        'Cannot message a user that is blocking you or that you have blocked.',
      ],
      [
        () => emu.updateUser(bob.id, { pm_friends_only: true }),
        'User is blocking messages from people not on their friends list.',
      ],
      [
        () => emu.updateUser(alice.id, { pm_friends_only: true }),
        'The user may not be able to reply because you are only accepting messages from people on your friends list.',
      ],
    ];
    for (const [arrange, error] of cases) {
      emu.setBlock(alice.id, bob.id, false);
      emu.setBlock(bob.id, alice.id, false);
      emu.updateUser(alice.id, { pm_friends_only: false });
      emu.updateUser(bob.id, { pm_friends_only: false });
      arrange();
      const response = await newPm(alice, { target_id: bob.id, message: 'hi' });
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error });
    }
    emu.setFriend(bob.id, alice.id, true); // bob is friends-only but has friended alice
    emu.updateUser(alice.id, { pm_friends_only: false });
    emu.updateUser(bob.id, { pm_friends_only: true });
    expect((await newPm(alice, { target_id: bob.id, message: 'hi' })).status).toBe(200);
  });

  it('§2.2 success: channel with CONVERSATION_INCLUDES, message with sender and uuid, new_channel_id', async () => {
    const response = await newPm(alice, { target_id: bob.id, message: '  hello bob ', uuid: 'u-1' });
    expect(response.status).toBe(200);
    const channelId = (response.body as { new_channel_id: number }).new_channel_id;
    expect(response.body).toEqual({
      channel: {
        channel_id: channelId,
        name: 'bob',
        description: '',
        icon: avatarOf(emu, bob.id),
        type: 'PM',
        message_length_limit: 450,
        moderated: false,
        uuid: null,
        last_message_id: 1,
        users: [alice.id, bob.id],
      },
      message: {
        message_id: 1,
        channel_id: channelId,
        sender_id: alice.id,
        content: 'hello bob',
        is_action: false,
        timestamp: messageTimeAt(),
        type: 'plain',
        uuid: 'u-1',
        sender: userCompactOf(emu, alice),
      },
      new_channel_id: channelId,
    });
    // Each side sees the other's name.
    const bobView = await api(emu, bob.token, 'GET', `/chat/channels/${channelId}`);
    expect((bobView.body as { channel: { name: string; icon: string } }).channel).toMatchObject({
      name: 'alice',
      icon: avatarOf(emu, alice.id),
    });
    expect(emu.state().channels.map((c) => c.name)).toEqual([pmName(alice, bob)]);
  });

  it('§2.2 is_action is honoured', async () => {
    const response = await newPm(alice, { target_id: bob.id, message: 'waves', is_action: true });
    expect((response.body as { message: unknown }).message).toMatchObject({
      is_action: true,
      type: 'action',
    });
  });

  it('§2.2 reuses an existing PM, also when the sender had hidden it (which rejoins them)', async () => {
    const first = (await newPm(alice, { target_id: bob.id, message: 'one' })).body as {
      new_channel_id: number;
    };
    const channelId = first.new_channel_id;
    const second = (await newPm(bob, { target_id: alice.id, message: 'two' })).body as {
      new_channel_id: number;
    };
    expect(second.new_channel_id).toBe(channelId);

    expect(
      (await api(emu, alice.token, 'DELETE', `/chat/channels/${channelId}/users/${alice.id}`)).status,
    ).toBe(204);
    expect(await presenceIds(emu, alice)).toEqual([]);
    const joins = recordPublished(emu, 'chat.channel.join');
    const third = await newPm(alice, { target_id: bob.id, message: 'three' });
    joins.stop();
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ new_channel_id: channelId, channel: { last_message_id: 3 } });
    expect(await presenceIds(emu, alice)).toEqual([channelId]);
    expect(joins.userIds()).toEqual([alice.id]); // `addUser(sender)` rejoins the hidden membership
    expect(emu.state().channels).toHaveLength(1);
  });

  it('§2.2 a blank message → 422 and no channel is left behind', async () => {
    for (const message of ['', '   ', '\n', undefined]) {
      const response = await newPm(alice, { target_id: bob.id, message });
      expect(response.status).toBe(422);
      expect(response.body).toEqual({ error: 'Cannot send blank message.' });
    }
    const state = emu.state();
    expect([state.channels, state.memberships, state.messages]).toEqual([[], [], []]);
    expect(await presenceIds(emu, alice)).toEqual([]);
  });
});

describe('§2.3 GET /chat/updates and §2.4 GET /chat/presence', () => {
  let alice: TestUser;
  let bob: TestUser;
  let osu: number;
  let pm: number;
  beforeEach(() => {
    ({ alice, bob } = setupUsers(emu, ['alice', 'bob'], { scopes: ['*'] }));
    osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', description: 'main', members: [alice.id] })
      .channel.channel_id;
    pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
  });
  const updates = (query: string) => api(emu, alice.token, 'GET', `/chat/updates${query}`);

  it('§2.3 missing since → 422 {"error":null}', async () => {
    const response = await updates('');
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ error: null });
  });

  it('§2.3 includes[] selects keys; unknown values are ignored; only unknown values → []', async () => {
    const all = await updates('?since=0');
    expect(Object.keys(all.body as object).sort()).toEqual(['messages', 'presence', 'silences']);
    expect(all.body).toMatchObject({ messages: [], silences: [] });
    expect(Object.keys((await updates('?since=0&includes[]=presence')).body as object)).toEqual(['presence']);
    expect((await updates('?since=0&includes[]=silences&includes[]=messages&includes[]=bogus')).body).toEqual(
      {
        silences: [],
        messages: [],
      },
    );
    const onlyUnknown = await updates('?since=0&includes[]=bogus');
    expect(onlyUnknown.status).toBe(200);
    expect(onlyUnknown.body).toEqual([]);
    // A non-array includes means "all three".
    expect(Object.keys((await updates('?since=0&includes=presence')).body as object).sort()).toEqual([
      'messages',
      'presence',
      'silences',
    ]);
  });

  it('§2.3 silences follow §3.5 (history_since)', async () => {
    emu.updateUser(bob.id, { silenced: true });
    const response = await updates('?since=0&history_since=0&includes[]=silences');
    expect(response.body).toEqual({ silences: [{ id: 1, user_id: bob.id }] });
  });

  it('§2.3 presence renders LISTING_INCLUDES; PM users are both ids, [] otherwise', async () => {
    emu.postMessage(osu, { sender_id: alice.id, content: 'hi' });
    const { presence } = (await updates('?since=0&includes[]=presence')).body as {
      presence: { channel_id: number }[];
    };
    const byId = new Map(presence.map((c) => [c.channel_id, c]));
    expect(byId.get(osu)).toEqual({
      channel_id: osu,
      name: '#osu',
      description: 'main',
      icon: null,
      type: 'PUBLIC',
      message_length_limit: 450,
      moderated: false,
      uuid: null,
      current_user_attributes: {
        can_list_users: false,
        can_message: true,
        can_message_error: null,
        last_read_id: 1,
      },
      last_read_id: 1,
      last_message_id: 1,
      users: [],
    });
    expect(byId.get(pm)).toEqual({
      channel_id: pm,
      name: 'bob',
      description: '',
      icon: avatarOf(emu, bob.id),
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
    });
    expect(presence).toHaveLength(2);
  });

  it('§2.3 can_message_error explains why the input box is disabled', async () => {
    emu.setBlock(bob.id, alice.id, true);
    const moderated = emu.createChannel({
      name: '#mod',
      type: 'PUBLIC',
      moderated: true,
      members: [alice.id],
    }).channel.channel_id;
    const presence = (await api(emu, alice.token, 'GET', '/chat/presence')).body as {
      channel_id: number;
      current_user_attributes: unknown;
    }[];
    const attrs = new Map(presence.map((c) => [c.channel_id, c.current_user_attributes]));
    expect(attrs.get(pm)).toEqual({
      can_list_users: false,
      can_message: false,
      can_message_error: 'Cannot message a user that is blocking you or that you have blocked.',
      last_read_id: null,
    });
    expect(attrs.get(moderated)).toMatchObject({
      can_message: false,
      can_message_error: 'This channel is currently moderated.',
    });
  });

  it('§2.3 presence leaves out hidden memberships', async () => {
    emu.setMember(pm, alice.id, { hidden: true });
    expect(await presenceIds(emu, alice)).toEqual([osu]);
    expect(await presenceIds(emu, bob)).toEqual([pm]);
  });

  it('§2.3 presence leaves out a PM whose other user is restricted', async () => {
    emu.updateUser(bob.id, { restricted: true });
    expect(await presenceIds(emu, alice)).toEqual([osu]);
    expect(await presenceIds(emu, bob)).toEqual([pm]);
  });

  it('§2.3 presence leaves out a PM with a user the viewer blocked, unless that user is a bot or moderator', async () => {
    emu.setBlock(bob.id, alice.id, true); // being blocked does not hide it
    expect(await presenceIds(emu, alice)).toEqual([osu, pm].sort((a, b) => a - b));
    emu.setBlock(alice.id, bob.id, true);
    expect(await presenceIds(emu, alice)).toEqual([osu]);
    emu.updateUser(bob.id, { bot: true });
    expect(await presenceIds(emu, alice)).toContain(pm);
    emu.updateUser(bob.id, { bot: false, moderator: true });
    expect(await presenceIds(emu, alice)).toContain(pm);
  });

  it('§2.4 /chat/presence is the bare presence array of /chat/updates', async () => {
    const presence = await api(emu, alice.token, 'GET', '/chat/presence');
    const fromUpdates = (await updates('?since=0')).body as { presence: unknown };
    expect(presence.status).toBe(200);
    expect(presence.body).toEqual(fromUpdates.presence);
  });
});

describe('§2.5 GET /chat/channels', () => {
  it('§2.5 lists every PUBLIC channel (moderated too) with base fields only', async () => {
    const { alice, bob } = setupUsers(emu, ['alice', 'bob']);
    const osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', description: 'main' }).channel.channel_id;
    const announce = emu.createChannel({ name: '#announce', type: 'PUBLIC', moderated: true }).channel
      .channel_id;
    emu.createChannel({ type: 'PM', members: [alice.id, bob.id] });
    emu.createChannel({ name: '#private', type: 'PRIVATE' });
    emu.createChannel({ name: 'news', type: 'ANNOUNCE', members: [alice.id] });
    emu.createChannel({ name: '#lazermp_1', type: 'MULTIPLAYER' });
    const response = await api(emu, alice.token, 'GET', '/chat/channels');
    expect(response.status).toBe(200);
    const base = { icon: null, type: 'PUBLIC', message_length_limit: 450, uuid: null };
    expect(response.body).toEqual([
      { channel_id: osu, name: '#osu', description: 'main', moderated: false, ...base },
      { channel_id: announce, name: '#announce', description: '', moderated: true, ...base },
    ]);
  });
});
