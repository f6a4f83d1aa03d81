// 2. Scaling: the engine's cost per message when 10k, 100k and 1M messages have been delivered (100 channels,
// the default per-channel cap of 500 in force). Nothing per message may grow with history: the target is the
// cost at every mark within ±25 % of the cost at the first. One client receives the whole stream; the cost at
// mark N is the time between the messages N/2 and N becoming visible, divided by N/2 (so the first mark's
// figure is not the connection's warm-up). The bare ws client (keeping the newest 500 per channel) is measured
// the same way.
//
//   node --expose-gc bench/scaling.js [--quick]      (quick: marks at 10k, 50k, 100k)
import { connectBare, connectEngine, startBackend } from './lib/clients.js';
import { fmt, header, median, now, quick, report, row, settledHeap } from './lib/common.js';
import { lastIdPerChannel } from './lib/frames.js';
import { startPushServer } from './lib/pushServer.js';

const CHANNELS = 100;
const CAP = 500;
const MARKS = quick ? [10_000, 50_000, 100_000] : [10_000, 100_000, 1_000_000];
/**
 * How many runs of each length: the cost at mark N can be read from any run at least N long, so short runs are
 * added to give the early (short, noisier) windows more samples: 3 at the last mark, 9 at the middle, 15 at
 * the first.
 */
const SCHEDULE = [
  [MARKS[2], 3],
  [MARKS[1], 6],
  [MARKS[0], 6],
];
const START_ID = 1_000_000;

header(
  '2. Scaling',
  `A client receives up to ${fmt(MARKS[2])} messages over ${CHANNELS} channels with the default cap of ${CAP} per\n` +
    `channel (older messages evicted). Figure: ns per message at ${MARKS.map((m) => fmt(m)).join(', ')} messages delivered,\n` +
    `i.e. the time between message N/2 and message N becoming visible in state, divided by N/2. Baseline: the\n` +
    `engine's own figure at the first mark. The bare ws client (keeping the newest ${CAP} per channel) is\n` +
    `measured the same way for comparison. Medians of 3 runs at the last mark, 9 at the middle one and 15 at the\n` +
    `first (shorter runs give the early, shorter windows more samples), after a warm-up.`,
);

const backend = await startBackend({ channels: CHANNELS });
const pushServer = await startPushServer();
const spec = (count) => ({ channelIds: backend.channelIds, startId: START_ID, from: 0, count });
/** Counts at which times are taken: N/2 and N for every mark. */
const points = [...new Set(MARKS.flatMap((m) => [m / 2, m]))].sort((a, b) => a - b);
/** ns per message at each mark a run reached (undefined for marks past its length). */
const perMessage = (times) =>
  MARKS.map((m) => {
    const [from, to] = [times[points.indexOf(m / 2)], times[points.indexOf(m)]];
    return to === undefined ? undefined : ((to - from) * 1e6) / (m / 2);
  });

async function engineRun(count) {
  const { client, connection, watcher } = await connectEngine({ backend, pushServer, messageCap: CAP });
  await settledHeap();
  const times = watcher.passing(points.filter((p) => p <= count).map((p) => START_ID + p - 1));
  const arrived = watcher.arrived(lastIdPerChannel({ ...spec(count), total: count }));
  const started = now();
  const pushed = pushServer.push(connection, spec(count));
  const ms = (await arrived) - started;
  await pushed;
  const held = watcher.held();
  if (held !== Math.min(count, CAP * CHANNELS)) throw new Error(`engine holds ${held} messages`);
  watcher.stop();
  client.dispose();
  return { times, ms };
}

async function bareRun(count) {
  const bare = await connectBare({ pushServer, cap: CAP });
  await settledHeap();
  const times = bare.passing(points.filter((p) => p <= count));
  const arrived = bare.arrived(count);
  const started = now();
  const pushed = pushServer.push(bare.connection, spec(count));
  const ms = (await arrived) - started;
  await pushed;
  bare.close();
  return { times, ms };
}

await engineRun(MARKS[0] * 5);
await bareRun(MARKS[0] * 5);
const engine = [];
const bare = [];
const list = (values) => values.map((v) => (v === undefined ? '—' : fmt(v))).join(' / ');
for (const [length, runs] of SCHEDULE) {
  for (let run = 1; run <= runs; run += 1) {
    const e = await engineRun(length);
    const b = await bareRun(length);
    engine.push(perMessage(e.times));
    bare.push(perMessage(b.times));
    console.log(
      `${fmt(length)} run ${run}: engine ${list(engine.at(-1))} ns/msg (${fmt(e.ms)} ms in all); ` +
        `bare ws ${list(bare.at(-1))} ns/msg (${fmt(b.ms)} ms)`,
    );
  }
}
console.log('');

const at = (results, i) => median(results.map((r) => r[i]).filter((v) => v !== undefined));
const e0 = at(engine, 0);
const b0 = at(bare, 0);
report('scaling', [
  ...MARKS.map((mark, i) => {
    const ratio = at(engine, i) / e0;
    return row(`ns per message at ${fmt(mark)} delivered`, at(engine, i), e0, {
      target: '0.75–1.25×',
      pass: ratio >= 0.75 && ratio <= 1.25,
    });
  }),
  ...MARKS.slice(1).map((mark, i) => row(`bare ws: ns per message at ${fmt(mark)}`, at(bare, i + 1), b0)),
  ...MARKS.map((mark, i) =>
    row(`engine vs bare ws at ${fmt(mark)} (ns per message)`, at(engine, i), at(bare, i)),
  ),
]);

await pushServer.close();
await backend.emu.close();
