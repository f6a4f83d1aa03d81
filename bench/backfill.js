// 4. Backfill: a client in 20 channels with loaded history loses its socket; 5,000 messages are posted while
// it is down; how long until every channel is `live` again with every message present, and how many HTTP
// requests that took, against the minimum number of 50-message pages.
//
//   node --expose-gc bench/backfill.js [--quick]
import { createChatClient } from '@osu-chat/core';
import { createEmulator } from '@osu-chat/emulator';
import { fmt, header, median, now, quick, report, row, until } from './lib/common.js';

const CHANNELS = 20;
const MISSED = 5_000;
const HISTORY = 50;
const PAGE = 50;
const RUNS = quick ? 2 : 5;
/** The engine heals this many channels at a time (ChatClient.heal); the baseline does the same. */
const CONCURRENCY = 4;

header(
  '4. Backfill',
  `A lazer client in ${CHANNELS} channels (${HISTORY} messages of history loaded in each) against the emulator; its\n` +
    `socket is dropped and ${fmt(MISSED)} messages are posted over the channels (seeded random spread) while it is\n` +
    `down. Figure: time from then until it is live again with every channel's continuity \`live\` and every\n` +
    `message present (reconnect backoff set to 0), and the HTTP requests it made (recorded fetch). Baseline: the\n` +
    `minimum number of 50-message pages, and the time a bare fetch loop takes to get exactly those pages\n` +
    `(${CONCURRENCY} channels at a time, as the engine heals). Medians of ${RUNS} runs.`,
);

/** mulberry32: a small seeded PRNG, so every run posts the same spread. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function trial() {
  const emu = await createEmulator({ limits: { activity_timeout: 86_400, api_throttle_per_minute: 1e9 } });
  try {
    const { user, token } = emu.createUser({ username: 'reader', scopes: ['*'] });
    const { user: sender } = emu.createUser({ username: 'talker' });
    const channelIds = [];
    for (let i = 0; i < CHANNELS; i += 1) {
      const { channel } = emu.createChannel({ name: `#backfill-${i}`, type: 'PUBLIC', members: [user.id] });
      channelIds.push(channel.channel_id);
      for (let m = 0; m < HISTORY; m += 1) {
        emu.postMessage(channel.channel_id, { sender_id: sender.id, content: `history ${i}/${m}` });
      }
    }

    // Set once the messages are posted: from then on every change checks whether the client has caught up.
    let resolveDone = null;
    let missed = [];
    let lastIds = [];
    const requests = [];
    const fetch = (input, init) => {
      requests.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
      return globalThis.fetch(input, init);
    };
    const client = createChatClient({
      apiUrl: emu.apiUrl,
      socketUrl: emu.socketUrl,
      token,
      fetch,
      backoff: { initialMs: 0, jitter: 0 },
    });
    client.connect();
    await until(() => client.connection.getSnapshot().status === 'live', 'live');
    await until(() => client.channels.getSnapshot().length === CHANNELS, 'the channel list');
    const readables = channelIds.map((id) => client.messages(id));
    const stops = readables.map((readable) => readable.subscribe(() => check()));
    stops.push(client.connection.subscribe(() => check()));
    await until(
      () => readables.every((r) => r.getSnapshot().loaded && r.getSnapshot().messages.length === HISTORY),
      'the history pages',
    );
    const cursors = readables.map((r) => r.getSnapshot().messages.at(-1).id);

    // Down: the socket is gone before any of these messages is published, so only backfill can bring them.
    emu.dropSockets({ user_id: user.id });
    const next = random(7);
    missed = new Array(CHANNELS).fill(0);
    lastIds = new Array(CHANNELS).fill(0);
    for (let m = 0; m < MISSED; m += 1) {
      const c = Math.floor(next() * CHANNELS);
      const { message } = emu.postMessage(channelIds[c], { sender_id: sender.id, content: `missed ${m}` });
      missed[c] += 1;
      lastIds[c] = message.message_id;
    }
    requests.length = 0;

    function check() {
      if (!resolveDone || client.connection.getSnapshot().status !== 'live') return;
      for (let c = 0; c < CHANNELS; c += 1) {
        const { messages, continuity } = readables[c].getSnapshot();
        if (continuity !== 'live' || messages.length !== HISTORY + missed[c]) return;
        if (missed[c] > 0 && messages.at(-1).id !== lastIds[c]) return;
      }
      resolveDone(now());
    }
    const done = new Promise((resolve) => {
      resolveDone = resolve;
    });
    const started = now();
    check();
    const ms = (await done) - started;
    const pages = requests.filter((path) => /\/chat\/channels\/\d+\/messages$/.test(path)).length;
    const total = requests.length;
    for (const stop of stops) stop();
    client.dispose();

    const minimum = missed.reduce((sum, n) => sum + Math.ceil(n / PAGE), 0);
    const bareMs = await bareBackfill(emu.apiUrl, token, channelIds, cursors, lastIds);
    return { ms, pages, total, minimum, bareMs };
  } finally {
    await emu.close();
  }
}

/** The baseline: plain fetch of exactly the pages needed (`since` the cursor, 50 a page), 4 channels at a time. */
async function bareBackfill(apiUrl, token, channelIds, cursors, lastIds) {
  const started = now();
  let next = 0;
  const worker = async () => {
    while (next < channelIds.length) {
      const c = next++;
      let cursor = cursors[c];
      while (cursor < lastIds[c]) {
        const url = `${apiUrl}/api/v2/chat/channels/${channelIds[c]}/messages?limit=${PAGE}&since=${cursor}&return_object=1`;
        const response = await globalThis.fetch(url, { headers: { Authorization: `Bearer ${token}` } });
        const page = await response.json();
        if (page.messages.length === 0) break;
        cursor = page.messages.at(-1).message_id;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return now() - started;
}

await trial();
const results = [];
for (let run = 1; run <= RUNS; run += 1) {
  const r = await trial();
  results.push(r);
  console.log(
    `run ${run}: engine ${fmt(r.ms)} ms, ${r.pages} history pages (${r.total} requests in all); ` +
      `minimum ${r.minimum} pages; bare fetch ${fmt(r.bareMs)} ms`,
  );
}
console.log('');

const pages = median(results.map((r) => r.pages));
const minimum = median(results.map((r) => r.minimum));
report('backfill', [
  row('time to catch up (ms)', median(results.map((r) => r.ms)), median(results.map((r) => r.bareMs))),
  row('history page requests', pages, minimum, { target: '= minimum', pass: pages <= minimum }),
  row('HTTP requests in all (with /me, ack, updates)', median(results.map((r) => r.total)), minimum),
]);
