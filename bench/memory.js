// 3. Memory: retained heap per message the engine holds (100 channels × 500, the default cap), after forced
// garbage collection, against the size of the JSON frame that carried the message. Target ≤ 2×.
//
//   node --expose-gc bench/memory.js [--quick]
import { connectBare, connectEngine, startBackend } from './lib/clients.js';
import { fmt, header, median, quick, report, row, settledHeap } from './lib/common.js';
import { lastIdPerChannel } from './lib/frames.js';
import { startPushServer } from './lib/pushServer.js';

const CHANNELS = 100;
const CAP = 500;
const HELD = CHANNELS * CAP;
const RUNS = quick ? 2 : 5;
const START_ID = 1_000_000;

header(
  '3. Memory',
  `${fmt(HELD)} messages held (${CHANNELS} channels × the default cap of ${CAP}), delivered as osu!'s\n` +
    `chat.message.new frames; figure: (heap used after forced GC with them held − before) / ${fmt(HELD)}.\n` +
    `Baseline: the average size of the JSON frame that carried one message. The bare ws client's retained\n` +
    `heap (its parsed message objects) is shown for comparison. Medians of ${RUNS} runs after a warm-up.`,
);

const backend = await startBackend({ channels: CHANNELS });
const pushServer = await startPushServer();
const spec = { channelIds: backend.channelIds, startId: START_ID, from: 0, count: HELD };

async function engineRun() {
  const { client, connection, watcher } = await connectEngine({ backend, pushServer, messageCap: CAP });
  const before = await settledHeap();
  const arrived = watcher.arrived(lastIdPerChannel({ ...spec, total: HELD }));
  const { bytes } = await pushServer.push(connection, spec);
  await arrived;
  const after = await settledHeap();
  const held = watcher.held();
  if (held !== HELD) throw new Error(`engine holds ${held} messages, expected ${HELD}`);
  watcher.stop();
  client.dispose();
  return { perMessage: (after - before) / HELD, frameBytes: bytes / HELD };
}

async function bareRun() {
  const bare = await connectBare({ pushServer });
  const before = await settledHeap();
  const arrived = bare.arrived(HELD);
  await pushServer.push(bare.connection, spec);
  await arrived;
  const after = await settledHeap();
  let held = 0;
  for (const list of bare.channels.values()) held += list.length;
  if (held !== HELD) throw new Error(`bare client holds ${held} messages`);
  bare.close();
  return (after - before) / HELD;
}

await engineRun();
await bareRun();
const engine = [];
const bare = [];
let frameBytes = 0;
for (let run = 1; run <= RUNS; run += 1) {
  const e = await engineRun();
  const b = await bareRun();
  engine.push(e.perMessage);
  bare.push(b);
  frameBytes = e.frameBytes;
  console.log(`run ${run}: engine ${fmt(e.perMessage)} bytes/message, bare ws ${fmt(b)} bytes/message`);
}
console.log('');

const e = median(engine);
report('memory', [
  row('retained heap per held message (bytes)', e, frameBytes, {
    target: '≤ 2.00×',
    pass: e / frameBytes <= 2,
  }),
  row('bare ws client: retained heap per held message (bytes)', median(bare), frameBytes),
]);

await pushServer.close();
await backend.emu.close();
