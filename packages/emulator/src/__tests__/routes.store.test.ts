// §2.6 POST /chat/channels over HTTP: PM (re)join and ANNOUNCE creation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelType, Emulator } from '../index.js';
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
let alice: TestUser;
let bob: TestUser;
beforeEach(async () => {
  emu = await startEmulator();
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob'], { scopes: ['*'] }));
});
afterEach(() => emu.close());

const channel = (type: ChannelType, members: number[] = [alice.id], name = `#${type.toLowerCase()}`) =>
  emu.createChannel(type === 'PM' ? { type, members } : { name, type, members }).channel.channel_id;

describe('§2.6 POST /chat/channels', () => {
  const store = (body: unknown, as: TestUser = alice) => api(emu, as.token, 'POST', '/chat/channels', body);

  it('§2.6 a missing or other type → 422 "unknown or missing type parameter"', async () => {
    for (const type of [undefined, 'PUBLIC', 'pm', 'announce', 'PRIVATE']) {
      const response = await store({ type, target_id: bob.id });
      expect(response.status).toBe(422);
      expect(response.body).toEqual({ error: 'unknown or missing type parameter' });
    }
  });

  it('§2.6 PM: missing target_id → 422; unknown user → 404 model text; privilege failure → 403', async () => {
    const missing = await store({ type: 'PM' });
    expect([missing.status, missing.body]).toEqual([422, { error: 'missing target_id parameter' }]);
    const unknown = await store({ type: 'PM', target_id: 9999 });
    expect([unknown.status, unknown.body]).toEqual([404, { error: "Specified User couldn't be found." }]);
    emu.setBlock(bob.id, alice.id, true);
    const blocked = await store({ type: 'PM', target_id: bob.id });
    expect([blocked.status, blocked.body]).toEqual([
      403,
      { error: 'Cannot message a user that is blocking you or that you have blocked.' },
    ]);
  });

  it('§2.6 PM that does not exist: the blank unsaved channel, and nothing is created', async () => {
    const response = await store({ type: 'PM', target_id: bob.id });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      channel_id: null,
      name: null,
      description: '',
      icon: null,
      type: null,
      message_length_limit: 450,
      moderated: false,
      uuid: null,
      recent_messages: [],
    });
    const state = emu.state();
    expect([state.channels, state.memberships]).toEqual([[], []]);
  });

  it('§2.6 PM that exists and was hidden: rejoined, returned with recent_messages (50 newest, with sender)', async () => {
    const pm = channel('PM', [alice.id, bob.id]);
    for (let i = 1; i <= 52; i++)
      emu.postMessage(pm, { sender_id: i % 2 ? bob.id : alice.id, content: `m${i}` });
    emu.setMember(pm, alice.id, { hidden: true });
    expect(await presenceIds(emu, alice)).toEqual([]);
    const joins = recordPublished(emu, 'chat.channel.join');
    const response = await store({ type: 'PM', target_id: bob.id });
    joins.stop();
    expect(response.status).toBe(200);
    const body = response.body as { recent_messages: { message_id: number }[] };
    expect(body.recent_messages.map((m) => m.message_id)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 3),
    );
    expect({ ...body, recent_messages: body.recent_messages.slice(-1) }).toEqual({
      channel_id: pm,
      name: 'bob',
      description: '',
      icon: avatarOf(emu, bob.id),
      type: 'PM',
      message_length_limit: 450,
      moderated: false,
      uuid: null,
      recent_messages: [
        {
          message_id: 52,
          channel_id: pm,
          sender_id: alice.id,
          content: 'm52',
          is_action: false,
          timestamp: messageTimeAt(),
          type: 'plain',
          sender: userCompactOf(emu, alice),
        },
      ],
    });
    expect(await presenceIds(emu, alice)).toEqual([pm]);
    expect(joins.events.map((e) => e.userId)).toEqual([alice.id]);
  });

  describe('ANNOUNCE', () => {
    let carol: TestUser;
    beforeEach(() => {
      ({ carol } = setupUsers(emu, ['carol'], { scopes: ['*'] }));
      emu.updateUser(alice.id, { announcer: true });
    });
    const announce = (overrides: Record<string, unknown> = {}, as: TestUser = alice) =>
      store(
        {
          type: 'ANNOUNCE',
          target_ids: [bob.id, carol.id],
          channel: { name: 'Maintenance', description: 'tonight' },
          message: '**down** at 10',
          ...overrides,
        },
        as,
      );

    it('§2.6 ANNOUNCE needs announcer or moderator, not silenced → else 403', async () => {
      const denied = { error: 'You do not have permission to post announcement.' };
      const plain = await announce({}, bob);
      expect([plain.status, plain.body]).toEqual([403, denied]);
      emu.updateUser(alice.id, { silenced: true });
      const silenced = await announce();
      expect([silenced.status, silenced.body]).toEqual([403, denied]);
      emu.updateUser(carol.id, { moderator: true });
      expect((await announce({ target_ids: [bob.id] }, carol)).status).toBe(200);
    });

    it('§2.6 ANNOUNCE parameter errors → 422 and nothing is created', async () => {
      const cases: [Record<string, unknown>, unknown][] = [
        [{ target_ids: undefined }, { error: 'missing target_ids parameter' }],
        [{ channel: undefined }, { error: 'missing channel parameter' }],
        [{ target_ids: [9998, 9999] }, { error: 'Nobody to broadcast to!' }],
        [{ channel: { name: 'x'.repeat(51) } }, { error: expect.any(String) }],
        [{ channel: { name: '' } }, { error: expect.any(String) }],
        [{ message: '' }, { error: 'Cannot send blank message.' }],
      ];
      for (const [overrides, body] of cases) {
        const response = await announce(overrides);
        expect({ overrides, status: response.status, body: response.body }).toEqual({
          overrides,
          status: 422,
          body,
        });
      }
      expect(emu.state().channels).toEqual([]);
      expect(emu.state().messages).toEqual([]);
    });

    it('§2.6 ANNOUNCE success: moderated ANNOUNCE channel, uuid echoed, recent_messages, every target a member', async () => {
      const joins = recordPublished(emu, 'chat.channel.join');
      const response = await announce({ target_ids: [bob.id, carol.id, bob.id, 9999], uuid: 'a-1' });
      joins.stop();
      expect(response.status).toBe(200);
      const id = (response.body as { channel_id: number }).channel_id;
      expect(response.body).toEqual({
        channel_id: id,
        name: 'Maintenance',
        description: 'tonight',
        icon: null,
        type: 'ANNOUNCE',
        message_length_limit: 1024,
        moderated: true,
        uuid: 'a-1',
        recent_messages: [
          {
            message_id: 1,
            channel_id: id,
            sender_id: alice.id,
            content: '**down** at 10',
            is_action: false,
            timestamp: messageTimeAt(),
            type: 'markdown',
            sender: userCompactOf(emu, alice),
          },
        ],
      });
      const members = emu.state().memberships.filter((m) => m.channel_id === id);
      expect(members.map((m) => m.user_id).sort((a, b) => a - b)).toEqual([alice.id, bob.id, carol.id]);
      expect(joins.events.map((e) => e.userId).sort((a, b) => a - b)).toEqual([alice.id, bob.id, carol.id]);
      expect(joins.events.every((e) => e.data.uuid === 'a-1')).toBe(true);
      for (const user of [alice, bob, carol]) expect(await presenceIds(emu, user)).toEqual([id]);
    });

    it('§2.6 ANNOUNCE targets are any existing users, restricted ones included', async () => {
      emu.updateUser(carol.id, { restricted: true });
      const response = await announce({ target_ids: [carol.id] });
      expect(response.status).toBe(200);
      const id = (response.body as { channel_id: number }).channel_id;
      expect((await api(emu, carol.token, 'GET', `/chat/channels/${id}`)).status).toBe(200);
    });
  });
});
