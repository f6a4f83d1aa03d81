// How fast the emulator fans chat messages out to websockets, so we know it is not the bottleneck of the
// engine's benchmarks. One PUBLIC channel, 100 members each with one socket (chat.start sent, channel acked);
// N messages are posted through the emulator's send pipeline (`world.postMessage`) and timed until every socket
// has received all N. Baseline, measured in the same run: a bare `ws` server broadcasting one pre-serialised
// frame of the same size to 100 bare clients. The clients live in a worker thread so their parsing does not
// share the server's event loop; the poster keeps at most WINDOW messages ahead of the slowest client.
//
//   node bench/emulatorFanout.js [--quick]      (needs the built package: npm run build -w @osu-chat/emulator)
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { WebSocket, WebSocketServer } from 'ws';

const SOCKETS = 100;
/** Messages posted per macrotask: a burst, as many HTTP sends arriving in one event-loop turn would be. */
const BATCH = 50;
/** How far (in messages) the poster may run ahead of the slowest client before it waits. */
const WINDOW = 1000;

if (isMainThread) {
  await main();
} else {
  await clients(workerData);
}

async function main() {
  const quick = process.argv.includes('--quick') || Boolean(process.env.OSU_CHAT_BENCH_QUICK);
  const n = quick ? 2_000 : 20_000;
  const runs = quick ? 3 : 5;
  const { createEmulator } = await import('@osu-chat/emulator');

  console.log(`emulator fan-out: ${SOCKETS} sockets on one PUBLIC channel, ${n} messages, ${runs} runs`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`);

  const emulatorTimes = [];
  const baselineTimes = [];
  let frame = '';
  for (let run = 1; run <= runs; run += 1) {
    const emulator = await emulatorTrial(createEmulator, n);
    frame = emulator.frame;
    emulatorTimes.push(emulator.ms);
    const baseline = await baselineTrial(frame, n);
    baselineTimes.push(baseline.ms);
    console.log(
      `run ${run}: emulator ${emulator.ms.toFixed(0)} ms, bare ws ${baseline.ms.toFixed(0)} ms ` +
        `(frame ${Buffer.byteLength(frame)} bytes)`,
    );
  }

  const emu = median(emulatorTimes);
  const base = median(baselineTimes);
  const rows = [
    ['', 'messages/s', 'frames/s', 'median ms'],
    ['emulator', fmt((n / emu) * 1000), fmt(((n * SOCKETS) / emu) * 1000), emu.toFixed(0)],
    ['bare ws baseline', fmt((n / base) * 1000), fmt(((n * SOCKETS) / base) * 1000), base.toFixed(0)],
  ];
  console.log('');
  for (const [name, ...cells] of rows)
    console.log(name.padEnd(18) + cells.map((c) => c.padStart(14)).join(''));
  console.log(`\nratio emulator/baseline (throughput): ${(base / emu).toFixed(2)}`);
}

/** One emulator run: a fresh emulator, 100 members with sockets, N posts; returns elapsed ms and one frame. */
async function emulatorTrial(createEmulator, n) {
  // A long activity timeout so the acks cannot lapse during a slow run.
  const emu = await createEmulator({ limits: { activity_timeout: 86_400 } });
  try {
    const members = Array.from({ length: SOCKETS }, (_, i) => emu.createUser({ username: `listener${i}` }));
    const sender = emu.createUser({ username: 'sender' });
    const { channel } = emu.createChannel({
      name: '#bench',
      type: 'PUBLIC',
      members: [...members.map((m) => m.user.id), sender.user.id],
    });
    const worker = startClients({
      kind: 'emulator',
      url: emu.socketUrl,
      tokens: members.map((m) => m.token),
      n,
      lastContent: `bench message ${n - 1}`,
    });
    await worker.ready;
    await Promise.all(
      members.map(async ({ token }) => {
        const response = await fetch(`${emu.apiUrl}/api/v2/chat/ack`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
        });
        if (response.status !== 200) throw new Error(`ack: HTTP ${response.status}`);
        await response.arrayBuffer();
      }),
    );
    const channelRecord = emu.world.channels.get(channel.channel_id);
    const senderRecord = emu.world.users.get(sender.user.id);
    const ms = await timePosts(worker, n, (i) => {
      emu.world.postMessage(channelRecord, senderRecord, { content: `bench message ${i}` });
    });
    const frame = await worker.sampleFrame;
    await worker.stop();
    return { ms, frame };
  } finally {
    await emu.close();
  }
}

/** One baseline run: a bare `ws` server sending the same pre-serialised frame to 100 bare clients. */
async function baselineTrial(frame, n) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const sockets = [];
  wss.on('connection', (ws) => sockets.push(ws));
  try {
    const worker = startClients({
      kind: 'baseline',
      url: `ws://127.0.0.1:${wss.address().port}`,
      tokens: Array.from({ length: SOCKETS }, () => ''),
      n,
      lastContent: null,
    });
    await worker.ready;
    if (sockets.length !== SOCKETS) throw new Error(`baseline: ${sockets.length} server sockets`);
    const payload = Buffer.from(frame);
    const ms = await timePosts(worker, n, () => {
      for (const ws of sockets) ws.send(payload, { binary: false });
    });
    await worker.stop();
    return { ms };
  } finally {
    for (const ws of sockets) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
}

/** Posts N messages in batches, never more than WINDOW ahead of the slowest client; ms until all arrived. */
async function timePosts(worker, n, post) {
  const started = performance.now();
  for (let i = 0; i < n; ) {
    while (i - worker.slowest() > WINDOW) await worker.progress();
    const end = Math.min(n, i + BATCH);
    for (; i < end; i += 1) post(i);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await worker.done;
  return performance.now() - started;
}

/** Starts the client worker and wraps its messages in promises. */
function startClients(data) {
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  let slowest = 0;
  let wake;
  let resolveReady;
  let resolveDone;
  let resolveSample;
  const ready = new Promise((resolve) => {
    resolveReady = resolve;
  });
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  const sampleFrame = new Promise((resolve) => {
    resolveSample = resolve;
  });
  const failed = new Promise((_, reject) => worker.once('error', reject));
  failed.catch((error) => {
    console.error(error);
    process.exit(1);
  });
  worker.on('message', (message) => {
    if (message.type === 'ready') resolveReady();
    else if (message.type === 'sample') resolveSample(message.frame);
    else if (message.type === 'progress') {
      slowest = message.slowest;
      wake?.();
    } else if (message.type === 'done') {
      slowest = data.n;
      wake?.();
      resolveDone();
    } else if (message.type === 'error') {
      console.error(`client worker: ${message.error}`);
      process.exit(1);
    }
  });
  return {
    ready,
    done,
    sampleFrame,
    slowest: () => slowest,
    progress: () =>
      new Promise((resolve) => {
        wake = resolve;
      }),
    stop: async () => {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

// ---- the client worker ----------------------------------------------------------------------------------

async function clients({ kind, url, tokens, n, lastContent }) {
  const counts = new Array(tokens.length).fill(0);
  let finished = 0;
  let sampled = false;
  const sockets = await Promise.all(
    tokens.map(
      (token, index) =>
        new Promise((resolve, reject) => {
          const headers = kind === 'emulator' ? { Authorization: `Bearer ${token}` } : {};
          const ws = new WebSocket(url, { headers, perMessageDeflate: false });
          let ready = kind === 'baseline';
          ws.on('error', reject);
          ws.on('open', () => {
            if (ready) resolve(ws);
          });
          ws.on('message', (raw) => {
            if (!ready) {
              if (String(raw) !== '{"event":"connection.ready"}') reject(new Error(`unexpected ${raw}`));
              ready = true;
              ws.send('{"event":"chat.start"}');
              // The pong proves the server has read chat.start.
              ws.once('pong', () => resolve(ws));
              ws.ping();
              return;
            }
            const count = ++counts[index];
            if (!sampled && kind === 'emulator') {
              sampled = true;
              parentPort.postMessage({ type: 'sample', frame: String(raw) });
            }
            if (count === n) {
              if (lastContent !== null && !String(raw).includes(`"content":"${lastContent}"`)) {
                parentPort.postMessage({ type: 'error', error: `socket ${index}: last frame was ${raw}` });
              }
              finished += 1;
              if (finished === tokens.length) parentPort.postMessage({ type: 'done' });
            }
          });
        }),
    ),
  );
  parentPort.postMessage({ type: 'ready' });
  const timer = setInterval(() => {
    let slowest = n;
    for (const count of counts) if (count < slowest) slowest = count;
    parentPort.postMessage({ type: 'progress', slowest });
  }, 5);
  parentPort.once('message', () => {
    clearInterval(timer);
    for (const ws of sockets) ws.terminate();
    parentPort.close();
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(value) {
  return Math.round(value).toLocaleString('en-US');
}
