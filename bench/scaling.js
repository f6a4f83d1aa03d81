// 2. Scaling: the engine's cost per delivered message at 10k, 100k and 1M messages (100 channels, the default
// per-channel cap of 500 in force). Nothing per message may grow with history: the target is every size within
// ±25 % of the 10k figure. The bare ws client (keeping the newest 500 per channel) is measured alongside.
//
//   node --expose-gc bench/scaling.js [--quick]      (quick: 10k, 50k, 100k)
import { connectBare, connectEngine, startBackend } from './lib/clients.js';
import { fmt, header, median, now, quick, report, row, settledHeap } from './lib/common.js';
import { lastIdPerChannel } from './lib/frames.js';
import { startPushServer } from './lib/pushServer.js';

const CHANNELS = 100;
const CAP = 500;
const SIZES = quick ? [10_000, 50_000, 100_000] : [10_000, 100_000, 1_000_000];
/** Small sizes are noisy: repeat them until each size has seen about 300k messages (3 runs at least). */
const runsFor = (size) => Math.max(3, Math.min(quick ? 5 : 15, Math.round(300_000 / size)));
const START_ID = 1_000_000;

header(
  '2. Scaling',
  `Cost per message (ns) when ${SIZES.map((s) => fmt(s)).join(', ')} messages are delivered over ${CHANNELS} channels\n` +
    `with the default cap of ${CAP} per channel (older messages evicted), each size a fresh client; the figure is\n` +
    `the time until the last message is in state divided by the count. Baseline: the engine's own ${fmt(SIZES[0])}\n` +
    `figure. The bare ws client (keeping the newest ${CAP} per channel) is shown for comparison.`,
);

const backend = await startBackend({ channels: CHANNELS });
const pushServer = await startPushServer();
const spec = (count) => ({ channelIds: backend.channelIds, startId: START_ID, from: 0, count });

async function engineRun(count) {
  const { client, connection, watcher } = await connectEngine({ backend, pushServer, messageCap: CAP });
  await settledHeap();
  const arrived = watcher.arrived(lastIdPerChannel({ ...spec(count), total: count }));
  const started = now();
  const pushed = pushServer.push(connection, spec(count));
  const ms = (await arrived) - started;
  await pushed;
  const held = watcher.held();
  if (held !== Math.min(count, CAP * CHANNELS)) throw new Error(`engine holds ${held} messages`);
  watcher.stop();
  client.dispose();
  return (ms * 1e6) / count;
}

async function bareRun(count) {
  const bare = await connectBare({ pushServer, cap: CAP });
  await settledHeap();
  const arrived = bare.arrived(count);
  const started = now();
  const pushed = pushServer.push(bare.connection, spec(count));
  const ms = (await arrived) - started;
  await pushed;
  bare.close();
  return (ms * 1e6) / count;
}

await engineRun(SIZES[0]);
await bareRun(SIZES[0]);
const engine = new Map();
const bare = new Map();
for (const size of SIZES) {
  const e = [];
  const b = [];
  for (let run = 0; run < runsFor(size); run += 1) {
    e.push(await engineRun(size));
    b.push(await bareRun(size));
  }
  engine.set(size, median(e));
  bare.set(size, median(b));
  console.log(
    `${fmt(size).padStart(9)}: engine ${e.map((v) => fmt(v)).join(', ')} ns/msg; bare ${b.map((v) => fmt(v)).join(', ')}`,
  );
}
console.log('');

const first = SIZES[0];
const e0 = engine.get(first);
const b0 = bare.get(first);
report('scaling', [
  ...SIZES.map((size) => {
    const ratio = engine.get(size) / e0;
    return row(`ns per message at ${fmt(size)} (vs ${fmt(first)})`, engine.get(size), e0, {
      target: '0.75–1.25×',
      pass: ratio >= 0.75 && ratio <= 1.25,
    });
  }),
  ...SIZES.slice(1).map((size) =>
    row(`bare ws: ns per message at ${fmt(size)} (vs ${fmt(first)})`, bare.get(size), b0),
  ),
  ...SIZES.map((size) =>
    row(`engine vs bare ws at ${fmt(size)} (ns per message)`, engine.get(size), bare.get(size)),
  ),
]);

await pushServer.close();
await backend.emu.close();
