// The soak's world: its users, tokens and channels, the clients' shared clock, and the seeded PRNG.
import { THIRD_PARTY_SCOPES } from '@osu-chat/emulator';

const PUBLIC_CHANNELS = 10;

/** Users, tokens and channels: 10 PUBLIC channels everyone is in, PMs alice–bob, alice–carol, bob–carol. */
export function buildWorld(emu) {
  const lazer = (username) => emu.createUser({ username, scopes: ['*'] });
  const { user: alice, token: aliceLazer } = lazer('alice');
  const { token: aliceApp } = emu.createToken({ user_id: alice.id, scopes: [...THIRD_PARTY_SCOPES] });
  const { user: bob, token: bobLazer } = lazer('bob');
  const carol = emu.createUser({ username: 'carol' }).user;
  const crowd = ['dan', 'erin', 'frank'].map((username) => emu.createUser({ username }).user);
  const everyone = [alice, bob, carol, ...crowd].map((u) => u.id);
  const publicIds = Array.from(
    { length: PUBLIC_CHANNELS },
    (_, i) => emu.createChannel({ name: `#soak-${i}`, type: 'PUBLIC', members: everyone }).channel.channel_id,
  );
  const pm = (a, b) => emu.createChannel({ type: 'PM', members: [a.id, b.id] }).channel.channel_id;
  const pms = { aliceBob: pm(alice, bob), aliceCarol: pm(alice, carol), bobCarol: pm(bob, carol) };
  const channelsOf = (user) =>
    user.id === alice.id
      ? [...publicIds, pms.aliceBob, pms.aliceCarol]
      : [...publicIds, pms.aliceBob, pms.bobCarol];
  return { alice, bob, carol, crowd, aliceLazer, aliceApp, bobLazer, publicIds, pms, channelsOf };
}

/**
 * Real time plus an offset, shared by the clients: the keepalive lapse moves it and the emulator's clock
 * together, as a machine that slept for a minute would see it.
 */
export function shiftableClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle),
    advance(ms) {
      offset += ms;
    },
  };
}

/** A small seeded PRNG, so a failing run can be replayed with `--seed`. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
