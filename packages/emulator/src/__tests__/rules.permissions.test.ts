// §4.1 privilege checks over the real HTTP API: ChatPmStart (POST /chat/new and sending in an existing PM),
// ChatChannelCanMessage as `current_user_attributes`, and ChatAnnounce on the send path.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import { api, setupUsers, startEmulator, type TestUser } from './helpers.js';

/** The translated `authorization.chat.*` strings (§4.1). */
const MSG = {
  blocked: 'Cannot message a user that is blocking you or that you have blocked.',
  friendsOnly: 'User is blocking messages from people not on their friends list.',
  moderated: 'This channel is currently moderated.',
  noAccess: 'You do not have access to that channel.',
  noAnnounce: 'You do not have permission to post announcement.',
  noChannel: 'authorization.chat.no_channel',
  receiveFriendsOnly:
    'The user may not be able to reply because you are only accepting messages from people on your friends list.',
  restricted: 'You cannot send messages while silenced, restricted or banned.',
} as const;

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
beforeEach(async () => {
  emu = await startEmulator();
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob']));
});
afterEach(() => emu.close());

/**
 * ChatPmStart(alice → bob) scenarios: a name, what to change, and the expected error (`null` = allowed).
 * The same table drives POST /chat/new and a send in an existing PM.
 */
const PM_START: [string, (emu: Emulator, a: TestUser, b: TestUser) => void, string | null][] = [
  ['restricted sender', (e, a) => e.updateUser(a.id, { restricted: true }), MSG.restricted],
  ['silenced sender', (e, a) => e.updateUser(a.id, { silenced: true }), MSG.restricted],
  [
    'sender pm_friends_only, target not friended',
    (e, a) => e.updateUser(a.id, { pm_friends_only: true }),
    MSG.receiveFriendsOnly,
  ],
  [
    'moderator sender pm_friends_only (checked before the moderator bypass)',
    (e, a) => e.updateUser(a.id, { pm_friends_only: true, moderator: true }),
    MSG.receiveFriendsOnly,
  ],
  [
    'bot sender pm_friends_only (checked before the bot bypass)',
    (e, a) => e.updateUser(a.id, { pm_friends_only: true, bot: true }),
    MSG.receiveFriendsOnly,
  ],
  [
    'sender pm_friends_only who friended the target',
    (e, a, b) => {
      e.updateUser(a.id, { pm_friends_only: true });
      e.setFriend(a.id, b.id, true);
    },
    null,
  ],
  ['target blocks sender', (e, a, b) => e.setBlock(b.id, a.id, true), MSG.blocked],
  ['sender blocks target', (e, a, b) => e.setBlock(a.id, b.id, true), MSG.blocked],
  [
    'target pm_friends_only, not friended',
    (e, _a, b) => e.updateUser(b.id, { pm_friends_only: true }),
    MSG.friendsOnly,
  ],
  [
    'target pm_friends_only, only the sender friended the target',
    (e, a, b) => {
      e.updateUser(b.id, { pm_friends_only: true });
      e.setFriend(a.id, b.id, true);
    },
    MSG.friendsOnly,
  ],
  [
    'target pm_friends_only who friended the sender',
    (e, a, b) => {
      e.updateUser(b.id, { pm_friends_only: true });
      e.setFriend(b.id, a.id, true);
    },
    null,
  ],
  [
    'blocked and friends-only target: the block is reported first',
    (e, a, b) => {
      e.updateUser(b.id, { pm_friends_only: true });
      e.setBlock(b.id, a.id, true);
    },
    MSG.blocked,
  ],
  [
    'moderator sender bypasses a block by the target',
    (e, a, b) => {
      e.updateUser(a.id, { moderator: true });
      e.setBlock(b.id, a.id, true);
    },
    null,
  ],
  [
    'moderator sender bypasses their own block',
    (e, a, b) => {
      e.updateUser(a.id, { moderator: true });
      e.setBlock(a.id, b.id, true);
    },
    null,
  ],
  [
    'moderator sender bypasses a friends-only target',
    (e, a, b) => {
      e.updateUser(a.id, { moderator: true });
      e.updateUser(b.id, { pm_friends_only: true });
    },
    null,
  ],
  [
    'bot sender bypasses a block and a friends-only target',
    (e, a, b) => {
      e.updateUser(a.id, { bot: true });
      e.updateUser(b.id, { pm_friends_only: true });
      e.setBlock(b.id, a.id, true);
    },
    null,
  ],
  [
    'silenced moderator is still refused (restriction is checked before the bypass)',
    (e, a) => e.updateUser(a.id, { moderator: true, silenced: true }),
    MSG.restricted,
  ],
];

describe('§4.1 ChatPmStart via POST /chat/new', () => {
  it.each(PM_START)('§4.1 %s', async (_name, arrange, error) => {
    arrange(emu, alice, bob);
    const response = await api(emu, alice.token, 'POST', '/chat/new', { target_id: bob.id, message: 'hi' });
    if (error === null) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ message: { content: 'hi', sender_id: alice.id } });
    } else {
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error });
      // §2.2: the privilege check runs before the channel is found or created.
      expect(emu.state().channels).toEqual([]);
    }
  });
});

describe('§4.1 ChatPmStart when sending in an existing PM', () => {
  it.each(PM_START)('§4.1 %s', async (_name, arrange, error) => {
    const pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    arrange(emu, alice, bob);
    const response = await api(emu, alice.token, 'POST', `/chat/channels/${pm}/messages`, { message: 'hi' });
    if (error === null) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ content: 'hi', channel_id: pm, sender_id: alice.id });
    } else {
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error });
      expect(emu.state().messages).toEqual([]);
    }
  });
});

/** `current_user_attributes` of a channel as `user` sees it through GET /chat/channels/{id}. */
async function attributesOf(user: TestUser, channelId: number) {
  const response = await api(emu, user.token, 'GET', `/chat/channels/${channelId}`);
  expect(response.status).toBe(200);
  return (response.body as { channel: { current_user_attributes: unknown } }).channel.current_user_attributes;
}

function attributes(canMessageError: string | null, canListUsers = false) {
  return {
    can_list_users: canListUsers,
    can_message: canMessageError === null,
    can_message_error: canMessageError,
    last_read_id: null,
  };
}

describe('§4.1 ChatChannelCanMessage in current_user_attributes', () => {
  it('§4.1 a moderated public channel: members may not message, moderators may', async () => {
    const { mod } = setupUsers(emu, ['mod']);
    emu.updateUser(mod.id, { moderator: true });
    const id = emu.createChannel({
      name: '#lobby',
      type: 'PUBLIC',
      moderated: true,
      members: [alice.id, mod.id],
    }).channel.channel_id;
    expect(await attributesOf(alice, id)).toEqual(attributes(MSG.moderated));
    expect(await attributesOf(mod, id)).toEqual(attributes(null));
  });

  it('§4.1 an unmoderated public channel: can_message true, can_list_users false even for moderators', async () => {
    const { mod } = setupUsers(emu, ['mod']);
    emu.updateUser(mod.id, { moderator: true });
    const id = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, mod.id] }).channel
      .channel_id;
    expect(await attributesOf(alice, id)).toEqual(attributes(null));
    expect(await attributesOf(mod, id)).toEqual(attributes(null));
  });

  it('§4.1 a silenced or restricted user: the restriction message, before moderation and the moderator bypass', async () => {
    const { mod } = setupUsers(emu, ['mod']);
    const id = emu.createChannel({
      name: '#lobby',
      type: 'PUBLIC',
      moderated: true,
      members: [alice.id, bob.id, mod.id],
    }).channel.channel_id;
    emu.updateUser(alice.id, { silenced: true });
    emu.updateUser(bob.id, { restricted: true });
    emu.updateUser(mod.id, { moderator: true, silenced: true });
    expect(await attributesOf(alice, id)).toEqual(attributes(MSG.restricted));
    expect(await attributesOf(bob, id)).toEqual(attributes(MSG.restricted));
    expect(await attributesOf(mod, id)).toEqual(attributes(MSG.restricted));
  });

  it('§4.1 ANNOUNCE: only announcers and moderators may message, and only they may list users', async () => {
    const { announcer, mod } = setupUsers(emu, ['announcer', 'mod']);
    emu.updateUser(announcer.id, { announcer: true });
    emu.updateUser(mod.id, { moderator: true });
    const id = emu.createChannel({
      name: '#news',
      type: 'ANNOUNCE',
      members: [alice.id, announcer.id, mod.id],
    }).channel.channel_id;
    expect(await attributesOf(alice, id)).toEqual(attributes(MSG.noAnnounce, false));
    expect(await attributesOf(announcer, id)).toEqual(attributes(null, true));
    expect(await attributesOf(mod, id)).toEqual(attributes(null, true));
  });

  it('§4.1 ANNOUNCE: a silenced announcer loses both', async () => {
    const { announcer } = setupUsers(emu, ['announcer']);
    emu.updateUser(announcer.id, { announcer: true, silenced: true });
    const id = emu.createChannel({ name: '#news', type: 'ANNOUNCE', members: [announcer.id] }).channel
      .channel_id;
    expect(await attributesOf(announcer, id)).toEqual(attributes(MSG.noAnnounce, false));
  });

  it('§4.1 PM whose other user is restricted → the raw key authorization.chat.no_channel', async () => {
    const id = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    emu.updateUser(bob.id, { restricted: true });
    expect(await attributesOf(alice, id)).toEqual(attributes(MSG.noChannel));
  });

  it('§4.1 PM: ChatPmStart decides (block either way, friends-only target)', async () => {
    const { carol } = setupUsers(emu, ['carol']);
    const withBob = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    const withCarol = emu.createChannel({ type: 'PM', members: [alice.id, carol.id] }).channel.channel_id;
    expect(await attributesOf(alice, withBob)).toEqual(attributes(null));
    emu.setBlock(bob.id, alice.id, true);
    emu.updateUser(carol.id, { pm_friends_only: true });
    expect(await attributesOf(alice, withBob)).toEqual(attributes(MSG.blocked));
    expect(await attributesOf(bob, withBob)).toEqual(attributes(MSG.blocked));
    expect(await attributesOf(alice, withCarol)).toEqual(attributes(MSG.friendsOnly));
    expect(await attributesOf(carol, withCarol)).toEqual(attributes(MSG.receiveFriendsOnly));
  });
});

describe('§4.1 ChatChannelSend on the send path', () => {
  it('§4.1 ANNOUNCE: a plain member gets 403 no_announce, an announcer may send', async () => {
    const { announcer } = setupUsers(emu, ['announcer']);
    emu.updateUser(announcer.id, { announcer: true });
    const id = emu.createChannel({ name: '#news', type: 'ANNOUNCE', members: [alice.id, announcer.id] })
      .channel.channel_id;
    const refused = await api(emu, alice.token, 'POST', `/chat/channels/${id}/messages`, { message: 'hi' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: MSG.noAnnounce });
    const sent = await api(emu, announcer.token, 'POST', `/chat/channels/${id}/messages`, { message: 'hi' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ content: 'hi', type: 'markdown' });
  });

  it('§4.1 a moderated public channel: 403 for members, moderators may send', async () => {
    const { mod } = setupUsers(emu, ['mod']);
    emu.updateUser(mod.id, { moderator: true });
    const id = emu.createChannel({
      name: '#lobby',
      type: 'PUBLIC',
      moderated: true,
      members: [alice.id, mod.id],
    }).channel.channel_id;
    const refused = await api(emu, alice.token, 'POST', `/chat/channels/${id}/messages`, { message: 'hi' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: MSG.moderated });
    const sent = await api(emu, mod.token, 'POST', `/chat/channels/${id}/messages`, { message: 'hi' });
    expect(sent.status).toBe(200);
  });

  it('§4.1 a hidden membership still counts as membership for sending', async () => {
    const id = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    emu.setMember(id, alice.id, { hidden: true });
    const sent = await api(emu, alice.token, 'POST', `/chat/channels/${id}/messages`, { message: 'hi' });
    expect(sent.status).toBe(200);
  });

  it('§4.1 a non-member of a public channel → 403 no_access', async () => {
    const id = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [bob.id] }).channel.channel_id;
    const refused = await api(emu, alice.token, 'POST', `/chat/channels/${id}/messages`, { message: 'hi' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: MSG.noAccess });
  });
});
