// 1. Ingest: how long the engine takes to make 200,000 socket messages over 100 channels visible in its state,
// against a bare ws client that only JSON.parses each frame and appends it to a per-channel array.
//
//   node --expose-gc bench/ingest.js [--quick]      (needs the built packages: npm run build)
import { connectBare, connectEngine, startBackend } from './lib/clients.js';
import { cpuMs, fmt, header, median, now, quick, report, row, settledHeap } from './lib/common.js';
import { lastIdPerChannel } from './lib/frames.js';
import { startPushServer } from './lib/pushServer.js';

const CHANNELS = 100;
// The target is stated for 200,000 frames, so a quick run sends as many and only runs fewer times: a smaller run
// weighs the engine's fixed costs (first batches, warm-up) more and reads worse than the figure it stands for.
const FRAMES = 200_000;
const RUNS = quick ? 3 : 5;
/** The cap holds every message of this run, so "visible" means all of them. */
const CAP = FRAMES / CHANNELS;
const START_ID = 1_000_000;

header(
  '1. Ingest',
  `${fmt(FRAMES)} chat.message.new frames (one message each, osu!'s JSON) over ${CHANNELS} channels, written by a\n` +
    `socket server in another process; figure: time from the push until every message is in the client's state\n` +
    `(its messages(id) Readables, messageCap ${CAP}). Baseline: a bare ws client that JSON.parses each frame and\n` +
    `appends it to a per-channel array. Medians of ${RUNS} runs after a warm-up.`,
);

const backend = await startBackend({ channels: CHANNELS });
const pushServer = await startPushServer();
const spec = (frames) => ({ channelIds: backend.channelIds, startId: START_ID, from: 0, count: frames });

/** One engine run: a fresh client, every channel open, N frames pushed; ms until all are in state. */
async function engineRun(frames) {
  const { client, connection, watcher } = await connectEngine({ backend, pushServer, messageCap: CAP });
  await settledHeap();
  const arrived = watcher.arrived(lastIdPerChannel({ ...spec(frames), total: frames }));
  const cpu = process.cpuUsage();
  const started = now();
  const pushed = pushServer.push(connection, spec(frames));
  const ms = (await arrived) - started;
  const cpuTime = cpuMs(cpu);
  const { bytes } = await pushed;
  const held = watcher.held();
  if (held !== frames) throw new Error(`engine holds ${held} messages, expected ${frames}`);
  watcher.stop();
  client.dispose();
  return { ms, cpu: cpuTime, bytes };
}

/** One baseline run: a fresh bare client, N frames pushed; ms until all are parsed and appended. */
async function bareRun(frames) {
  const bare = await connectBare({ pushServer });
  await settledHeap();
  const arrived = bare.arrived(frames);
  const cpu = process.cpuUsage();
  const started = now();
  const pushed = pushServer.push(bare.connection, spec(frames));
  const ms = (await arrived) - started;
  const cpuTime = cpuMs(cpu);
  await pushed;
  bare.close();
  return { ms, cpu: cpuTime };
}

await engineRun(Math.min(FRAMES, 20_000));
await bareRun(Math.min(FRAMES, 20_000));
const engine = [];
const bare = [];
let bytes = 0;
for (let run = 1; run <= RUNS; run += 1) {
  const e = await engineRun(FRAMES);
  const b = await bareRun(FRAMES);
  engine.push(e);
  bare.push(b);
  bytes = e.bytes;
  console.log(
    `run ${run}: engine ${fmt(e.ms)} ms (CPU ${fmt(e.cpu)} ms), bare ws ${fmt(b.ms)} ms (CPU ${fmt(b.cpu)} ms)`,
  );
}
console.log(`frames: ${fmt(bytes / FRAMES)} bytes of JSON on average\n`);

const e = median(engine.map((r) => r.ms));
const b = median(bare.map((r) => r.ms));
report('ingest', [
  row(`time until ${fmt(FRAMES)} messages are visible (ms)`, e, b, { target: '≤ 1.50×', pass: e / b <= 1.5 }),
  row(
    'CPU time of the client process (ms)',
    median(engine.map((r) => r.cpu)),
    median(bare.map((r) => r.cpu)),
  ),
  row('messages per second', (FRAMES / e) * 1000, (FRAMES / b) * 1000, { ratio: b / e }),
  row('cost per message (µs)', (e / FRAMES) * 1000, (b / FRAMES) * 1000, { digits: 2 }),
]);

await pushServer.close();
await backend.emu.close();
