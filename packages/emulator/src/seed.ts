// Seed data and simulated traffic, so a UI pointed at the emulator looks like a living osu! chat.
import type { EmulatorControl, SeededToken } from './control.js';
import { type Scope, THIRD_PARTY_SCOPES, type UserRecord } from './types.js';
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
  const human = (username: string, flags: Partial<UserRecord> = {}) => {
    const { user } = control.createUser({ username, scopes: ['*'], ...flags });
    const record = world.users.get(user.id) as UserRecord;
    const star = [...world.tokens.values()].find((t) => t.userId === record.id) as { token: string };
    tokens.push({ id: record.id, username, token: star.token, scopes: ['*'] });
    const thirdParty = world.createToken(record.id, [...THIRD_PARTY_SCOPES] as Scope[]);
    tokens.push({ id: record.id, username, token: thirdParty.token, scopes: thirdParty.scopes });
    return record;
  };
  const mio = human('Mio', { announcer: true });
  const haruki = human('Haruki');
  const sakura = human('Sakura', { moderator: true });
  const extras = ['Lena', 'Toma', 'Kaede', 'Ravi'].map((name) => human(name));
  world.createUser({ username: 'BanchoBot', bot: true });

  const now = world.clock.now();
  const channels = PUBLIC_CHANNELS.map(([name, description]) =>
    world.createChannel({ name, description, type: 'PUBLIC', moderated: name === '#announce' }),
  );
  const everyone = [mio, haruki, sakura, ...extras];
  for (const channel of channels.slice(0, 3)) {
    for (const user of everyone) world.addUser(channel, user);
  }
  world.addUser(channels[3] as never, mio);
  world.addUser(channels[5] as never, haruki);

  // Some history over the last three hours, oldest first (ids are global and increasing).
  const random = mulberry32(7270);
  const history = 60;
  for (let i = 0; i < history; i += 1) {
    const channel = channels[i % 3] as (typeof channels)[number];
    const sender = everyone[Math.floor(random() * everyone.length)] as UserRecord;
    const content = PHRASES[Math.floor(random() * PHRASES.length)] as string;
    world.postMessage(channel, sender, { content, timestamp: now - (history - i) * 180_000 });
  }
  const pm = world.createPm(mio, haruki);
  world.postMessage(pm, haruki, { content: 'hey, want to play some multi later?', timestamp: now - 600_000 });
  world.postMessage(pm, mio, { content: 'sure, after dinner!', isAction: false, timestamp: now - 540_000 });
  control.createChannel({
    name: 'Welcome to osu!chat',
    type: 'ANNOUNCE',
    description: 'A note from the moderation team',
    members: [sakura.id, mio.id, haruki.id],
  });
  const announce = [...world.channels.values()].find((c) => c.type === 'ANNOUNCE');
  if (announce) {
    world.postMessage(announce, sakura, {
      content: 'Welcome! This is a local osu! chat emulator.\nBe nice, and have fun.',
      timestamp: now - 300_000,
    });
  }
  return tokens;
}

/** Starts simulated users posting about `perSecond` messages a second in public channels; returns stop. */
export function startTraffic(world: World, perSecond: number): () => void {
  const random = mulberry32(42);
  const interval = Math.max(1, Math.round(1000 / perSecond));
  const perTick = Math.max(1, Math.round(perSecond / (1000 / interval)));
  const timer = setInterval(() => {
    const publics = [...world.channels.values()].filter((c) => c.type === 'PUBLIC' && !c.moderated);
    for (let i = 0; i < perTick && publics.length > 0; i += 1) {
      const channel = publics[Math.floor(random() * publics.length)] as (typeof publics)[number];
      const members = [...(world.members.get(channel.id)?.keys() ?? [])]
        .map((id) => world.users.get(id))
        .filter((u): u is UserRecord => u !== undefined && !u.restricted);
      const sender = members[Math.floor(random() * members.length)];
      if (!sender) continue;
      world.postMessage(channel, sender, { content: PHRASES[Math.floor(random() * PHRASES.length)] as string });
    }
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
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
