// The chaos soak: the emulator and three engine clients in one process (alice on lazer and on a third-party
// app, bob on lazer) chatting in 10 public channels and 3 PMs while the chaos loop breaks the network and the
// server. When it stops, every client must converge on exactly the server's messages, every send must have
// been delivered exactly once or reported failed, and the heap must be flat. `runSoak` returns the report.
import { createChatClient, isChatError } from '@osu-chat/core';
import { createEmulator } from '@osu-chat/emulator';
import { countingFetch, faultCounters, startChaos } from './chaos.js';
import { checkSends, compareChannel, sumResults } from './check.js';
import { startFront } from './proxy.js';
import { startMemorySampler } from './report.js';
import { startSender, startTraffic } from './traffic.js';
import { buildWorld, mulberry32, shiftableClock } from './world.js';

const REQUEST_TIMEOUT_MS = 2000;

/**
 * Runs a soak and returns its report (see `formatReport`).
 *
 * @example
 * ```js
 * const report = await runSoak({ durationMs: 60_000 });
 * console.log(formatReport(report));
 * ```
 * @param {import('./soak.d.ts').SoakOptions} options
 * @returns {Promise<import('./soak.d.ts').SoakReport>}
 */
export async function runSoak(options) {
  const { durationMs, log = () => {} } = options;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = mulberry32(seed);
  const settleTimeoutMs = options.settleTimeoutMs ?? 90_000;
  const memory = startMemorySampler(options.sampleMs ?? 2000);
  const counters = faultCounters();

  const emu = await createEmulator({ port: 0 });
  const front = await startFront({ host: '127.0.0.1', port: Number(new URL(emu.apiUrl).port) });
  const apiUrl = `http://127.0.0.1:${front.port}`;
  const socketUrl = `${apiUrl.replace('http', 'ws')}${new URL(emu.socketUrl).pathname}`;
  const clients = [];
  const clock = shiftableClock();
  try {
    const world = buildWorld(emu);
    const specs = [
      { name: 'alice@lazer', user: world.alice, token: world.aliceLazer },
      { name: 'alice@app', user: world.alice, token: world.aliceApp },
      { name: 'bob@lazer', user: world.bob, token: world.bobLazer },
    ];
    for (const spec of specs) {
      const client = createChatClient({
        apiUrl,
        socketUrl,
        token: spec.token,
        fetch: countingFetch(counters),
        clock,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        // Small, so the clients' memory plateaus within the first minutes and eviction is exercised throughout.
        messageCap: options.messageCap ?? 60,
        random: mulberry32(Math.floor(random() * 2 ** 31)),
        // Compressed time: the soak drops sockets every few seconds, so reconnects must not wait minutes.
        backoff: { initialMs: 1000, maxMs: 8000 },
      });
      const entry = { spec, client, channels: world.channelsOf(spec.user), lives: 0, untyped: 0, errors: [] };
      // Observed for the whole run: each channel's newest page loads as soon as the channel is listed.
      for (const id of entry.channels) client.messages(id).subscribe(() => {});
      client.events$.subscribe((event) => {
        if (event.type === 'connection' && event.state.status === 'live') entry.lives += 1;
        if (event.type === 'error' && !isChatError(event.error)) entry.untyped += 1;
        if (event.type === 'error' && entry.errors.length < 5) entry.errors.push(event.error.message);
      });
      clients.push(entry);
      client.connect();
    }
    await setupStep('every client live', () => clients.every((c) => isLive(c.client)));
    for (const { client, spec } of clients) {
      if (spec.token !== world.aliceApp) continue;
      // A third-party token cannot list its channels: it joins them, as an app would.
      for (const id of world.publicIds) await retrying(() => client.join(id));
      for (const peer of [world.bob, world.carol]) await retrying(() => client.openPrivateChat(peer.id));
    }
    await setupStep(
      'every channel listed and loaded',
      () =>
        clients.every(({ client, channels }) =>
          channels.every((id) => client.messages(id).getSnapshot().loaded),
        ),
      () =>
        clients
          .map(({ spec, client, channels, errors }) => {
            const missing = channels.filter((id) => !client.messages(id).getSnapshot().loaded);
            return `${spec.name}: ${missing.length ? missing.join(' ') : 'ok'} ${JSON.stringify(errors)}`;
          })
          .join(', '),
    );
    log(`setup done: ${clients.length} clients, ${world.publicIds.length} public channels, 3 PMs`);

    const sends = [];
    const senders = clients.map((c) => startSender(c, sends, mulberry32(Math.floor(random() * 2 ** 31))));
    const traffic = startTraffic(emu, world, mulberry32(Math.floor(random() * 2 ** 31)));
    const chaos = startChaos({
      emu,
      front,
      clock,
      users: [world.alice, world.bob],
      counters,
      random,
      lapseAt: durationMs * 0.35,
      restartAt: durationMs * 0.6,
      restartDownMs: 3000,
      rates: { error: 0.05, rateLimit: 0.02, delay: 0.01, delayMs: REQUEST_TIMEOUT_MS + 1500 },
    });
    const progress = setInterval(() => log(progressLine(clients, sends, counters)), 10_000);
    await sleep(durationMs);
    clearInterval(progress);
    for (const sender of senders) sender.stop();
    traffic.stop();
    await chaos.stop();

    // The network has healed: wait for the sends to settle and every client to converge on the server.
    const healStarted = Date.now();
    const deadline = healStarted + settleTimeoutMs;
    await until(deadline - Date.now(), () => sends.every((s) => s.state !== 'pending'));
    await until(deadline - Date.now(), () => converged(emu, clients));
    const settleMs = Date.now() - healStarted;
    memory.stop();

    const serverMessages = emu.state().messages.map((m) => ({
      id: m.message_id,
      channelId: m.channel_id,
      senderId: m.sender_id,
      content: m.content,
    }));
    const perChannel = [];
    const notLive = [];
    const lostDetails = [];
    for (const { spec, client, channels } of clients) {
      if (!isLive(client)) notLive.push(`${spec.name}: ${client.connection.getSnapshot().status}`);
      for (const id of channels) {
        const list = client.messages(id).getSnapshot();
        if (list.continuity !== 'live') notLive.push(`${spec.name} #${id}: ${list.continuity}`);
        const own = list.messages.filter((m) => m.status === 'sent');
        const result = compareChannel(
          own,
          serverMessages.filter((m) => m.channelId === id),
        );
        perChannel.push(result);
        for (const lostId of result.lostIds) {
          const m = serverMessages.find((x) => x.id === lostId);
          lostDetails.push(
            `${spec.name} #${id}: message ${lostId} "${m?.content}" (client holds ${own[0]?.id}…${own.at(-1)?.id})`,
          );
        }
      }
    }
    const messages = { onServer: serverMessages.length, ...sumResults(perChannel) };
    const sendResult = checkSends(sends, serverMessages);
    const warmupMs = Math.min(60_000, durationMs * 0.25);
    const mem = memory.summary(warmupMs);
    const flat = mem.end <= mem.base * 1.25;
    const untyped = clients.reduce((n, c) => n + c.untyped, 0);
    const failures = [
      ['lost', messages.lost + sendResult.lostSends],
      ['duplicated', messages.duplicated],
      ['out of order', messages.outOfOrder],
      ['phantom or altered', messages.phantom + messages.altered],
      ['double-posted', sendResult.doublePosted],
      ['misattributed sends', sendResult.misattributed],
      ['unsettled sends', sendResult.unsettled],
      ['not live', notLive.length],
      ['untyped errors', untyped],
      ['emulator 5xx', counters.unexpected5xx],
      ['memory not flat', memory.collected && !flat ? 1 : 0],
    ]
      .filter(([, n]) => n > 0)
      .map(([what, n]) => `${what} ${n}`);
    return {
      ok: failures.length === 0,
      failures,
      seed,
      durationMs,
      settleMs,
      clients: clients.map((c) => c.spec.name),
      faults: counters,
      reconnects: clients.reduce((n, c) => n + Math.max(0, c.lives - 1), 0),
      messages,
      sends: sendResult,
      notLive,
      lostDetails: lostDetails.slice(0, 20),
      memory: { ...mem, flat, collected: memory.collected },
    };
  } finally {
    memory.stop();
    for (const { client } of clients) client.dispose();
    await front.close();
    await emu.close();
  }
}

const isLive = (client) => client.connection.getSnapshot().status === 'live';

/** Every client live, every loaded channel live, and each holding the server's newest message. */
function converged(emu, clients) {
  if (!clients.every((c) => isLive(c.client))) return false;
  const last = new Map(emu.state().channels.map((c) => [c.channel_id, c.last_message_id ?? 0]));
  return clients.every(({ client, channels }) =>
    channels.every((id) => {
      const list = client.messages(id).getSnapshot();
      const newest = list.messages.findLast((m) => m.status === 'sent')?.id ?? 0;
      return list.continuity === 'live' && newest >= (last.get(id) ?? 0);
    }),
  );
}

function progressLine(clients, sends, counters) {
  const states = clients.map((c) => `${c.spec.name} ${c.client.connection.getSnapshot().status}`).join(', ');
  const settled = sends.filter((s) => s.state !== 'pending').length;
  return `sends ${settled}/${sends.length} settled, ${counters.requests} requests, ${counters.socketDrops} drops; ${states}`;
}

/** Polls `done` until it holds or `timeoutMs` passed; says which. */
async function until(timeoutMs, done, intervalMs = 250) {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

/** Setup calls, retried: a slow machine may time one out even without chaos. */
async function retrying(call) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(500);
    }
  }
}

/** Setup runs without chaos: a step that does not finish in 20 s is a broken soak, not a finding. */
async function setupStep(what, done, describe = () => '') {
  if (!(await until(20_000, done, 50))) {
    throw new Error(`soak setup: timed out waiting for ${what} ${describe()}`);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
