// §4.3 the chat send throttle over the real HTTP API. The algorithm, per user and bucket (PM / PUBLIC):
// drop attempts with score ≤ now−window (whole seconds), count the rest, record this attempt (even when it is
// rejected), and answer 429 when the count was ≥ limit. The clock is pinned so second boundaries are exact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import { api, setupUsers, startEmulator, T0, type TestUser } from './helpers.js';

const THROTTLED = { error: 'You are sending messages too quickly, please wait a bit before trying again.' };

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let osu: number;
let lobby: number;
let pm: number;

beforeEach(async () => {
  // osu!'s defaults: one message per 1 s window in each bucket.
  emu = await startEmulator({ limits: { chat_public_limit: 1, chat_private_limit: 1 } });
  ({ alice, bob } = setupUsers(emu, ['alice', 'bob']));
  osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] }).channel.channel_id;
  lobby = emu.createChannel({ name: '#lobby', type: 'PUBLIC', members: [alice.id] }).channel.channel_id;
  pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
  emu.clock.set(T0 + 100);
});
afterEach(() => emu.close());

async function send(user: TestUser, channelId: number, message = 'hi') {
  const response = await api(emu, user.token, 'POST', `/chat/channels/${channelId}/messages`, { message });
  return response.status;
}

/** Moves the pinned clock to `T0 + ms`. */
function at(ms: number) {
  emu.clock.set(T0 + ms);
}

describe('§4.3 default limit: one message per wall-clock second per bucket', () => {
  it('§4.3 a second send in the same second → 429 with the throttle message', async () => {
    expect(await send(alice, osu)).toBe(200);
    const response = await api(emu, alice.token, 'POST', `/chat/channels/${osu}/messages`, {
      message: 'again',
    });
    expect(response.status).toBe(429);
    expect(response.body).toEqual(THROTTLED);
    expect(emu.state().messages.map((m) => m.content)).toEqual(['hi']);
  });

  it('§4.3 whole seconds count: .999 is still throttled, the next second is free', async () => {
    expect(await send(alice, osu)).toBe(200);
    at(999);
    expect(await send(alice, osu)).toBe(429);
    at(1000);
    expect(await send(alice, osu)).toBe(200);
  });

  it('§4.3 after a 429 the next second is clean (window 1: attempts ≤ now−1 are dropped)', async () => {
    expect(await send(alice, osu)).toBe(200);
    expect(await send(alice, osu)).toBe(429);
    expect(await send(alice, osu)).toBe(429);
    at(1100);
    expect(await send(alice, osu)).toBe(200);
    expect(await send(alice, osu)).toBe(429);
  });

  it('§4.3 PM and PUBLIC are separate buckets: one of each in the same second both succeed', async () => {
    expect(await send(alice, osu)).toBe(200);
    expect(await send(alice, pm)).toBe(200);
    expect(await send(alice, pm)).toBe(429);
    expect(await send(alice, osu)).toBe(429);
  });

  it('§4.3 every non-PM channel shares the PUBLIC bucket', async () => {
    const { announcer } = setupUsers(emu, ['announcer']);
    emu.updateUser(announcer.id, { announcer: true });
    emu.setMember(osu, announcer.id);
    const news = emu.createChannel({ name: '#news', type: 'ANNOUNCE', members: [announcer.id, bob.id] })
      .channel.channel_id;
    expect(await send(alice, osu)).toBe(200);
    expect(await send(alice, lobby)).toBe(429);
    expect(await send(announcer, osu)).toBe(200);
    expect(await send(announcer, news)).toBe(429);
  });

  it('§4.3 buckets are per user', async () => {
    expect(await send(alice, osu)).toBe(200);
    expect(await send(bob, osu)).toBe(200);
    expect(await send(bob, pm)).toBe(200);
    expect(await send(alice, pm)).toBe(200);
  });

  it('§4.3 POST /chat/new uses the PM bucket, and a throttled one creates no channel', async () => {
    const { carol } = setupUsers(emu, ['carol']);
    expect(await send(alice, osu)).toBe(200);
    expect(await send(alice, pm)).toBe(200);
    const response = await api(emu, alice.token, 'POST', '/chat/new', { target_id: carol.id, message: 'hi' });
    expect(response.status).toBe(429);
    expect(response.body).toEqual(THROTTLED);
    expect(emu.state().channels).toHaveLength(3);
    at(1100);
    const later = await api(emu, alice.token, 'POST', '/chat/new', { target_id: carol.id, message: 'hi' });
    expect(later.status).toBe(200);
  });
});

describe('§4.3 what consumes the throttle', () => {
  it('§4.3 rejected attempts are recorded: with a 2 s window, retrying every second never gets through', async () => {
    emu.updateConfig({ chat_public_window: 2 });
    expect(await send(alice, osu)).toBe(200); // s
    at(1100);
    expect(await send(alice, osu)).toBe(429); // s+1: [s] remains
    at(2100);
    expect(await send(alice, osu)).toBe(429); // s+2: the rejected attempt at s+1 remains
    at(3100);
    expect(await send(alice, osu)).toBe(429); // s+3: the rejected attempt at s+2 remains
    at(5100);
    expect(await send(alice, osu)).toBe(200); // s+5: nothing since s+3 is inside the window
  });

  it('§4.3 validation failures (blank, blocked, too long) and refusals do not consume it', async () => {
    emu.setFilters([{ match: 'spam', block: true }]);
    const other = emu.createChannel({ name: '#other', type: 'PUBLIC' }).channel.channel_id;
    expect(await send(alice, osu, '   ')).toBe(422);
    expect(await send(alice, osu, 'spam')).toBe(422);
    expect(await send(alice, osu, 'a'.repeat(451))).toBe(422);
    expect(await send(alice, other)).toBe(403);
    expect(await send(alice, osu)).toBe(200);
    expect(await send(alice, osu)).toBe(429);
  });

  it('§4.3 chat_public_limit 3 / window 10: three pass, the fourth → 429, free again 10 s later', async () => {
    emu.updateConfig({ chat_public_limit: 3, chat_public_window: 10 });
    expect([await send(alice, osu), await send(alice, osu), await send(alice, osu)]).toEqual([200, 200, 200]);
    expect(await send(alice, osu)).toBe(429);
    at(10_100);
    expect(await send(alice, osu)).toBe(200);
  });

  it('§4.3 chat_public_limit 3 / window 10: still throttled 9 s later', async () => {
    emu.updateConfig({ chat_public_limit: 3, chat_public_window: 10 });
    for (let i = 0; i < 3; i++) expect(await send(alice, osu)).toBe(200);
    at(9_100);
    expect(await send(alice, osu)).toBe(429);
    // At s+10 only the rejected attempt of s+9 remains: 1 < 3.
    at(10_100);
    expect(await send(alice, osu)).toBe(200);
  });

  it('§4.3 chat_private_limit applies to the PM bucket only', async () => {
    emu.updateConfig({ chat_private_limit: 2 });
    expect([await send(alice, pm), await send(alice, pm), await send(alice, pm)]).toEqual([200, 200, 429]);
    expect(await send(alice, osu)).toBe(200);
    expect(await send(alice, osu)).toBe(429);
  });
});
