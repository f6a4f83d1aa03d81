// Seed data and simulated traffic, so a UI pointed at the emulator looks like a living osu! chat.
import type { EmulatorControl, SeededToken } from './control.js';
import { type ChannelRecord, THIRD_PARTY_SCOPES, type UserFlags, type UserRecord } from './types.js';
import type { World } from './world.js';

export type SeedName = 'empty' | 'demo';

const PUBLIC_CHANNELS = [
  ['#osu', 'The official osu! channel (English only).'],
  ['#lobby', 'Advertise your multiplayer game.'],
  ['#help', 'Help for osu! and its features.'],
  ['#taiko', 'osu!taiko talk.'],
  ['#mapping', 'Beatmap creation and modding.'],
  ['#announce', 'Automated announcements of beatmap rankings and more.'],
] as const;

const CROWD = ['Aoi', 'Jun', 'Nadia', 'Felix', 'Yuki'];

const PHRASES = [
  'anyone up for some multi?',
  'just FC-ed my first 6*, hands are shaking',
  'what skin is everyone using these days',
  'is the ranking queue slow today or is it just me',
  'https://osu.ppy.sh/beatmapsets/1 check this map out',
  'gn everyone',
  'how do I get better at reading high AR',
  'that stream section is brutal',
  'is there a tournament this weekend?',
  'hi chat o/',
  'my tablet died mid-run lol',
  'does anyone know a good jump map',
];

/** Applies a seed to an emptied world; returns the tokens it created (what the CLI prints). */
export function applySeed(control: EmulatorControl, seed: SeedName): SeededToken[] {
  return seed === 'demo' ? seedDemo(control) : [];
}

function seedDemo(control: EmulatorControl): SeededToken[] {
  const world = control.world;
  const tokens: SeededToken[] = [];
  // People a UI logs in as: a `*` (lazer-like) token and a third-party token each, both printed by the CLI.
  const human = (username: string, flags: Partial<UserFlags> = {}) => {
    const { user, token } = control.createUser({ username, scopes: ['*'], ...flags });
    tokens.push({ id: user.id, username, token, scopes: ['*'] });
    const thirdParty = world.createToken(user.id, [...THIRD_PARTY_SCOPES]);
    tokens.push({ id: user.id, username, token: thirdParty.token, scopes: thirdParty.scopes });
    return world.users.get(user.id) as UserRecord;
  };
  const mio = human('Mio', { announcer: true });
  const haruki = human('Haruki');
  const sakura = human('Sakura', { moderator: true });
  const extras = ['Lena', 'Toma', 'Kaede', 'Ravi'].map((name) => human(name));
  // The crowd: users without tokens who write the history and the simulated traffic, so whoever a UI logs in
  // as never appears to post messages they did not write.
  const crowd = CROWD.map((username) => world.createUser({ username }));
  world.createUser({ username: 'BanchoBot', bot: true });

  const now = world.clock.now();
  const channels = PUBLIC_CHANNELS.map(([name, description]) =>
    world.createChannel({ name, description, type: 'PUBLIC', moderated: name === '#announce' }),
  );
  const people = [mio, haruki, sakura, ...extras];
  for (const channel of channels.slice(0, 3)) {
    for (const user of [...people, ...crowd]) world.addUser(channel, user);
  }
  world.addUser(channels[3] as ChannelRecord, mio);
  world.addUser(channels[5] as ChannelRecord, haruki);

  // History over the last three hours, oldest first, ending before the PM and the announcement, so ids and
  // timestamps rise together across channels as they do in osu! (ids are one global sequence).
  const random = mulberry32(7270);
  const history = 60;
  const senders = [...people, ...crowd];
  for (let i = 0; i < history; i += 1) {
    const channel = channels[i % 3] as ChannelRecord;
    const sender = pick(random, senders);
    world.postMessage(channel, sender, {
      content: pick(random, PHRASES),
      timestamp: now - 900_000 - (history - i) * 180_000,
    });
  }
  const pm = world.createPm(mio, haruki);
  world.postMessage(pm, haruki, { content: 'hey, want to play some multi later?', timestamp: now - 600_000 });
  world.postMessage(pm, mio, { content: 'sure, after dinner!', timestamp: now - 540_000 });
  const { channel: announcement } = control.createChannel({
    name: 'Welcome to osu!chat',
    type: 'ANNOUNCE',
    description: 'A note from the moderation team',
    members: [sakura.id, mio.id, haruki.id],
  });
  world.postMessage(world.channels.get(announcement.channel_id) as ChannelRecord, sakura, {
    content: 'Welcome! This is a local osu! chat emulator.\nBe nice, and have fun.',
    timestamp: now - 300_000,
  });
  return tokens;
}

/**
 * Starts simulated users posting `perSecond` messages a second (on average, fractions allowed) in unmoderated
 * PUBLIC channels, through the real send pipeline minus permissions and throttle. The senders are members
 * without a token (the demo crowd) if any channel has some, so nobody a UI logs in as seems to post on their
 * own; otherwise any unrestricted member. Returns stop.
 */
export function startTraffic(world: World, perSecond: number): () => void {
  const random = mulberry32(42);
  const tickMs = Math.min(1000, Math.max(10, 1000 / perSecond));
  let credit = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const at = performance.now();
    // Catch up after a busy event loop, but never by more than a second's worth.
    credit = Math.min(credit + ((at - last) / 1000) * perSecond, Math.max(1, perSecond));
    last = at;
    if (credit < 1) return;
    const choices = trafficChoices(world);
    for (; credit >= 1; credit -= 1) {
      if (choices.length === 0) continue;
      const [channel, senders] = pick(random, choices);
      try {
        world.postMessage(channel, pick(random, senders), { content: pick(random, PHRASES) });
      } catch {
        // A chat filter may block a phrase (422); traffic just skips it.
      }
    }
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Each unmoderated PUBLIC channel with the members who may post there as traffic. */
function trafficChoices(world: World): [ChannelRecord, UserRecord[]][] {
  const withTokens = new Set([...world.tokens.values()].map((t) => t.userId));
  const all: [ChannelRecord, UserRecord[]][] = [];
  const tokenless: [ChannelRecord, UserRecord[]][] = [];
  for (const channel of world.channels.values()) {
    if (channel.type !== 'PUBLIC' || channel.moderated) continue;
    const members = [...(world.members.get(channel.id)?.keys() ?? [])]
      .map((id) => world.users.get(id))
      .filter((u): u is UserRecord => u !== undefined && !u.restricted);
    if (members.length > 0) all.push([channel, members]);
    const crowd = members.filter((u) => !withTokens.has(u.id));
    if (crowd.length > 0) tokenless.push([channel, crowd]);
  }
  return tokenless.length > 0 ? tokenless : all;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A small seeded PRNG, so seeds and traffic are reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
