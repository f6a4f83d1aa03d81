// osu!-shaped `chat.message.new` frames, generated deterministically by index so the push server (in a worker)
// and the benchmark (which must know what arrives where) agree without sharing memory. The JSON is exactly what
// osu-notification-server relays (and the emulator sends: render.ts `messageJson`, socket.ts `frameOf`):
// {"event":"chat.message.new","data":{"messages":[ChatMessage],"users":[UserCompact],"socket":null},"socket":null}

const PHRASES = [
  'hi',
  'gg',
  'lol',
  'anyone up for multi?',
  'that last jump section was insane',
  'what mod combo are you playing today',
  'brb',
  'nice pass!',
  'does anyone know a good stream map around 200bpm',
  'ty',
  'the new ranked set is really fun, the hardest diff is brutal though',
  'fc or riot',
  'how do you even read that',
  'ok',
  'i keep missing the first note after the break',
  '!roll',
  'welcome back',
  'which skin is that?',
  'がんばって！',
  'bien joué 👏',
  'just hit a new top play, 400pp',
  'sliderbreak on the last combo again...',
  'tablet or mouse?',
  'see you',
];

/** 256 distinct message texts: osu! chat lines of varied length (a few non-ASCII), 30 characters on average. */
export const CONTENTS = Array.from({ length: 256 }, (_, i) => {
  const a = PHRASES[i % PHRASES.length];
  const b = PHRASES[(i * 7 + 3) % PHRASES.length];
  return i % 5 === 0 ? `${a} ${b}` : i % 11 === 0 ? `${a} (${i})` : a;
});

const CONTENT_JSON = CONTENTS.map((c) => JSON.stringify(c));
const COUNTRIES = ['JP', 'US', 'KR', 'DE', 'FR', 'PL', 'BR', 'GB', 'CA', 'AU'];
const BASE_TIME = Date.UTC(2025, 0, 1, 12);

/** Sender ids start here, far from the emulator's own users. */
export const FIRST_SENDER_ID = 100_000;
export const SENDERS = 50;

/** A sender's UserCompact, as osu! renders it (§3.3 of the spec, fields in osu-web's order). */
function userJson(index) {
  const id = FIRST_SENDER_ID + index;
  return JSON.stringify({
    avatar_url: `https://a.ppy.sh/${id}?1700000000.jpeg`,
    country_code: COUNTRIES[index % COUNTRIES.length],
    default_group: 'default',
    id,
    is_active: true,
    is_bot: false,
    is_deleted: false,
    is_online: true,
    is_supporter: index % 4 === 0,
    last_visit: '2025-01-01T11:58:00+00:00',
    pm_friends_only: false,
    profile_colour: null,
    username: `player_${index}${'x'.repeat(index % 7)}`,
  });
}

const USER_JSON = Array.from({ length: SENDERS }, (_, i) => userJson(i));

/**
 * Which of `channels` frame `index` goes to: every block of `channels` consecutive frames visits each channel
 * exactly once, in an order that hops around (stride 37), so bursts touch many channels as real traffic does.
 */
export function channelIndexOf(index, channels) {
  if (channels % 37 === 0) throw new Error('channel count must not be a multiple of 37');
  return ((index % channels) * 37 + Math.floor(index / channels) * 11) % channels;
}

/** Generates frame `index` of a stream (message id `startId + index`). */
export function createFrameSource({ channelIds, startId }) {
  const channels = channelIds.length;
  const times = new Map();
  const timestamp = (index) => {
    // osu! timestamps have second precision; ten messages a second.
    const second = Math.floor(index / 10);
    let text = times.get(second);
    if (text === undefined) {
      text = `${new Date(BASE_TIME + second * 1000).toISOString().slice(0, 19)}Z`;
      if (times.size > 10_000) times.clear();
      times.set(second, text);
    }
    return text;
  };
  return {
    frame(index) {
      const sender = (index * 7 + (index >> 4)) % SENDERS;
      const channelId = channelIds[channelIndexOf(index, channels)];
      const content = CONTENT_JSON[(index * 2654435761) >>> 24];
      return (
        `{"event":"chat.message.new","data":{"messages":[{"message_id":${startId + index},` +
        `"channel_id":${channelId},"sender_id":${FIRST_SENDER_ID + sender},"content":${content},` +
        `"is_action":false,"timestamp":"${timestamp(index)}","type":"plain"}],` +
        `"users":[${USER_JSON[sender]}],"socket":null},"socket":null}`
      );
    },
  };
}

/** The message id of the last frame each channel receives among frames `0 … total-1` (Map channelId → id). */
export function lastIdPerChannel({ channelIds, startId, total }) {
  const last = new Map();
  for (let index = total - 1; index >= 0 && last.size < channelIds.length; index -= 1) {
    const channelId = channelIds[channelIndexOf(index, channelIds.length)];
    if (!last.has(channelId)) last.set(channelId, startId + index);
  }
  return last;
}
