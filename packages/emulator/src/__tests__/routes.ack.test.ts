// §2.1 POST /chat/ack over HTTP: response shape, silence selection (§3.5) and the keepalive itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../index.js';
import { api, recordPublished, setupUsers, startEmulator, type TestUser } from './helpers.js';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

describe('§2.1 POST /chat/ack', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let osu: number;
  beforeEach(() => {
    ({ alice, bob, carol } = setupUsers(emu, ['alice', 'bob', 'carol']));
    osu = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id] }).channel.channel_id;
  });
  const ack = async (params?: Record<string, number>) => {
    const response = await api(emu, alice.token, 'POST', '/chat/ack', params);
    expect(response.status).toBe(200);
    return response.body;
  };

  it('§2.1 without history_since and with no positive since, silences are always []', async () => {
    emu.postMessage(osu, { sender_id: alice.id, content: 'hi' });
    emu.updateUser(bob.id, { silenced: true });
    expect(await ack()).toEqual({ silences: [] });
    expect(await ack({ since: 0 })).toEqual({ silences: [] });
  });

  it('§2.1 history_since → silences with a greater id, newest id first, taking precedence over since', async () => {
    emu.updateUser(bob.id, { silenced: true });
    emu.clock.advance(1_000);
    emu.updateUser(carol.id, { restricted: true });
    emu.clock.advance(1_000);
    emu.postMessage(osu, { sender_id: alice.id, content: 'hi' });
    expect(await ack({ history_since: 0 })).toEqual({
      silences: [
        { id: 2, user_id: carol.id },
        { id: 1, user_id: bob.id },
      ],
    });
    expect(await ack({ history_since: 1 })).toEqual({ silences: [{ id: 2, user_id: carol.id }] });
    // `since` alone would select nothing here (no silence after message 1); history_since wins.
    expect(await ack({ history_since: 1, since: 1 })).toEqual({ silences: [{ id: 2, user_id: carol.id }] });
    expect(await ack({ since: 1 })).toEqual({ silences: [] });
  });

  it('§2.1 since → silences newer than the newest message with id ≤ since, newest first', async () => {
    emu.postMessage(osu, { sender_id: alice.id, content: 'm1' }); // id 1 at T0
    emu.clock.advance(1_000);
    emu.updateUser(bob.id, { silenced: true }); // silence 1 at T0+1
    emu.clock.advance(1_000);
    emu.postMessage(osu, { sender_id: alice.id, content: 'm2' }); // id 2 at T0+2
    emu.clock.advance(1_000);
    emu.updateUser(carol.id, { restricted: true }); // silence 2 at T0+3
    const both = {
      silences: [
        { id: 2, user_id: carol.id },
        { id: 1, user_id: bob.id },
      ],
    };
    expect(await ack({ since: 1 })).toEqual(both);
    expect(await ack({ since: 2 })).toEqual({ silences: [{ id: 2, user_id: carol.id }] });
    expect(await ack({ since: 99 })).toEqual({ silences: [{ id: 2, user_id: carol.id }] });
  });

  it('§2.1 since compares whole-second timestamps: a silence in the same second as the message is not newer', async () => {
    emu.clock.advance(3_000);
    emu.postMessage(osu, { sender_id: alice.id, content: 'm1' });
    emu.clock.advance(500);
    emu.updateUser(bob.id, { silenced: true });
    expect(await ack({ since: 1 })).toEqual({ silences: [] });
    emu.clock.advance(500);
    emu.updateUser(carol.id, { silenced: true });
    expect(await ack({ since: 1 })).toEqual({ silences: [{ id: 2, user_id: carol.id }] });
  });

  it('§2.1 only silences of the last hour count', async () => {
    emu.updateUser(bob.id, { silenced: true });
    emu.clock.advance(3_599_000);
    expect(await ack({ history_since: 0 })).toEqual({ silences: [{ id: 1, user_id: bob.id }] });
    emu.clock.advance(1_000);
    expect(await ack({ history_since: 0 })).toEqual({ silences: [] });
  });

  it('§2.1 at most 100 silences, newest first', async () => {
    for (let i = 0; i < 105; i++) {
      emu.updateUser(bob.id, { silenced: true });
      emu.updateUser(bob.id, { silenced: false });
    }
    const { silences } = (await ack({ history_since: 0 })) as { silences: { id: number }[] };
    expect(silences.map((s) => s.id)).toEqual(Array.from({ length: 100 }, (_, i) => 105 - i));
  });

  it("§2.1 acks the caller's PUBLIC channels, so their messages reach the caller again", async () => {
    emu.setMember(osu, bob.id);
    const other = emu.createChannel({ name: '#other', type: 'PUBLIC', members: [carol.id] }).channel
      .channel_id;
    emu.clock.advance(61_000); // every join-time ack is now stale (§6)
    const received = recordPublished(emu, 'chat.message.new');
    emu.postMessage(osu, { sender_id: alice.id, content: 'nobody hears this' });
    expect(received.userIds()).toEqual([]);
    expect((await api(emu, bob.token, 'POST', '/chat/ack')).status).toBe(200);
    emu.postMessage(osu, { sender_id: alice.id, content: 'bob hears this' });
    emu.postMessage(other, { sender_id: carol.id, content: 'bob is not a member here' });
    expect(received.userIds()).toEqual([bob.id]);
    received.stop();
  });
});
