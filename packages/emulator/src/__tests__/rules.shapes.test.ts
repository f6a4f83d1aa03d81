// §3.2 ChatMessage, §3.3 UserCompact and §3.5 UserSilence shapes over the real HTTP API, and the §4.4
// announcement channel field limits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import { api, messageTimeAt, setupUsers, startEmulator, type TestUser, userCompactOf } from './helpers.js';

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let osu: number;

beforeEach(async () => {
  emu = await startEmulator();
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob']));
  osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] }).channel.channel_id;
});
afterEach(() => emu.close());

function send(user: TestUser, channelId: number, body: Record<string, unknown>) {
  return api(emu, user.token, 'POST', `/chat/channels/${channelId}/messages`, body);
}

describe('§3.2 ChatMessage', () => {
  it('§3.2 the send response: exact field set, boolean is_action, type plain, …Z timestamp in whole seconds', async () => {
    emu.clock.advance(1_750);
    const response = await send(alice, osu, { message: 'hello' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message_id: 1,
      channel_id: osu,
      sender_id: alice.id,
      content: 'hello',
      is_action: false,
      timestamp: messageTimeAt(1_000),
      type: 'plain',
      sender: userCompactOf(emu, alice),
    });
    expect((response.body as { timestamp: string }).timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('§3.2 a uuid is echoed on the send response only, never in history', async () => {
    const sent = await send(alice, osu, { message: 'hello', uuid: 'c0ffee' });
    expect(sent.body).toMatchObject({ uuid: 'c0ffee' });
    const history = await api(emu, alice.token, 'GET', `/chat/channels/${osu}/messages`);
    expect(Object.keys((history.body as object[])[0] as object).sort()).toEqual([
      'channel_id',
      'content',
      'is_action',
      'message_id',
      'sender',
      'sender_id',
      'timestamp',
      'type',
    ]);
  });

  it.each([
    [true, true],
    ['1', true],
    [1, true],
    ['on', true],
    ['true', true],
    [false, false],
    ['0', false],
    ['yes', false],
    [{ a: 1 }, false],
  ])(
    '§3.2 is_action %j → is_action %s (a real boolean) and the matching type',
    async (isAction, expected) => {
      const response = await send(alice, osu, { message: 'waves', is_action: isAction });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ is_action: expected, type: expected ? 'action' : 'plain' });
    },
  );

  it('§3.2 type: markdown in ANNOUNCE channels, action wins over markdown', async () => {
    emu.updateUser(alice.id, { announcer: true });
    const news = emu.createChannel({ name: '#news', type: 'ANNOUNCE', members: [alice.id, bob.id] }).channel
      .channel_id;
    const plain = await send(alice, news, { message: 'news' });
    emu.clock.advance(1000);
    const action = await send(alice, news, { message: 'waves', is_action: true });
    expect(plain.body).toMatchObject({ type: 'markdown', is_action: false });
    expect(action.body).toMatchObject({ type: 'action', is_action: true });
  });
});

describe('§3.3 UserCompact', () => {
  it('§3.3 the sender has exactly the base fields, last_visit as ATOM with +00:00', async () => {
    const response = await send(alice, osu, { message: 'hello' });
    const sender = (response.body as { sender: Record<string, unknown> }).sender;
    expect(Object.keys(sender).sort()).toEqual([
      'avatar_url',
      'country_code',
      'default_group',
      'id',
      'is_active',
      'is_bot',
      'is_deleted',
      'is_online',
      'is_supporter',
      'last_visit',
      'pm_friends_only',
      'profile_colour',
      'username',
    ]);
    expect(sender.last_visit).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });

  it('§3.3 flags show through: is_bot and pm_friends_only', async () => {
    emu.updateUser(alice.id, { bot: true, pm_friends_only: true });
    const response = await send(alice, osu, { message: 'beep' });
    expect(response.body).toMatchObject({ sender: { is_bot: true, pm_friends_only: true, id: alice.id } });
  });
});

describe('§3.5 silences from POST /chat/ack', () => {
  function ack(body: Record<string, unknown>) {
    return api(emu, bob.token, 'POST', '/chat/ack', body);
  }

  it('§3.5 silencing a user records a silence {id, user_id} returned with history_since', async () => {
    emu.updateUser(alice.id, { silenced: true });
    const response = await ack({ history_since: 0 });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ silences: [{ id: 1, user_id: alice.id }] });
  });

  it('§3.5 restricting records one too; newest id first; history_since excludes ids ≤ it', async () => {
    emu.updateUser(alice.id, { silenced: true });
    emu.updateUser(bob.id, { restricted: true });
    const { carol } = setupUsers(emu, ['carol']);
    const all = await api(emu, carol.token, 'POST', '/chat/ack', { history_since: 0 });
    expect(all.body).toEqual({
      silences: [
        { id: 2, user_id: bob.id },
        { id: 1, user_id: alice.id },
      ],
    });
    const newer = await api(emu, carol.token, 'POST', '/chat/ack', { history_since: 1 });
    expect(newer.body).toEqual({ silences: [{ id: 2, user_id: bob.id }] });
  });

  it('§3.5 without history_since or a positive since → []', async () => {
    emu.updateUser(alice.id, { silenced: true });
    expect((await ack({})).body).toEqual({ silences: [] });
    expect((await ack({ since: 0 })).body).toEqual({ silences: [] });
  });

  it('§3.5 history_since takes precedence over since', async () => {
    emu.updateUser(alice.id, { silenced: true });
    expect((await ack({ since: 0, history_since: 0 })).body).toEqual({
      silences: [{ id: 1, user_id: alice.id }],
    });
  });

  it('§3.5 since: silences newer than the message since points at (whole seconds)', async () => {
    const first = await send(bob, osu, { message: 'before' });
    const messageId = (first.body as { message_id: number }).message_id;
    emu.clock.advance(500);
    emu.updateUser(alice.id, { silenced: true });
    expect((await ack({ since: messageId })).body).toEqual({ silences: [] });
    emu.clock.advance(1000);
    emu.updateUser(bob.id, { silenced: true });
    expect((await ack({ since: messageId })).body).toEqual({ silences: [{ id: 2, user_id: bob.id }] });
  });

  it('§3.5 a silence older than 1 hour is no longer returned', async () => {
    emu.updateUser(alice.id, { silenced: true });
    emu.clock.advance(3_599_000);
    expect((await ack({ history_since: 0 })).body).toEqual({ silences: [{ id: 1, user_id: alice.id }] });
    emu.clock.advance(2_000);
    expect((await ack({ history_since: 0 })).body).toEqual({ silences: [] });
  });
});

describe('§4.4 announcement channel name 50 / description 255', () => {
  let announcer: TestUser;
  beforeEach(() => {
    ({ announcer } = setupUsers(emu, ['announcer']));
    emu.updateUser(announcer.id, { announcer: true });
  });

  function announce(channel: Record<string, unknown>) {
    return api(emu, announcer.token, 'POST', '/chat/channels', {
      type: 'ANNOUNCE',
      target_ids: [alice.id],
      channel,
      message: 'hello',
    });
  }

  it('§4.4 a 50-character name (in code points) and a 255-character description are accepted', async () => {
    const response = await announce({ name: '🎉'.repeat(50), description: 'd'.repeat(255) });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: '🎉'.repeat(50),
      description: 'd'.repeat(255),
      type: 'ANNOUNCE',
    });
  });

  it('§4.4 a 51-character name → 422 and nothing is created', async () => {
    const response = await announce({ name: 'n'.repeat(51), description: '' });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      error: 'name exceeded maximum length - can only be up to 50 characters.',
    });
    expect(emu.state().channels).toHaveLength(1);
  });

  it('§4.4 a 256-character description → 422 and nothing is created', async () => {
    const response = await announce({ name: '#event', description: 'd'.repeat(256) });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      error: 'description exceeded maximum length - can only be up to 255 characters.',
    });
    expect(emu.state().channels).toHaveLength(1);
  });

  it('§4.4 name and description are trimmed before they are measured', async () => {
    const response = await announce({ name: `  ${'n'.repeat(50)}  `, description: ` ${'d'.repeat(255)} ` });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'n'.repeat(50), description: 'd'.repeat(255) });
  });

  it('§4.4 a blank name → 422 name is required.', async () => {
    const response = await announce({ name: '   ', description: '' });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ error: 'name is required.' });
  });
});
