// 5. React: @osu-chat/react in jsdom. 10,000 messages arrive in one channel in bursts of 100 (one socket write
// each); per burst: React commits, and time from the push until the channel's component has committed the
// burst's last message. Components bound to the other channels must not render at all. Baseline: the same
// components over a minimal hand-written store (a bare ws client, JSON.parse, per-channel arrays, one version
// number per channel for useSyncExternalStore). Run twice: with Node's `ws` delivery (every frame of one socket
// read in one go) and with browser-like delivery (each frame its own macrotask, as browsers dispatch messages).
//
//   node --expose-gc bench/react.js [--quick]
import { connectBare, startBackend } from './lib/clients.js';
import { fmt, header, median, now, quick, report, row, settledHeap, until } from './lib/common.js';
import { startPushServer } from './lib/pushServer.js';

// Production React (what users ship) with the profiling renderer, so <Profiler> reports commits.
process.env.NODE_ENV = 'production';
const { JSDOM } = await import('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
if (!('navigator' in globalThis)) globalThis.navigator = dom.window.navigator;
const React = await import('react');
const { createRoot } = await import('react-dom/profiling');
const { createChatClient } = await import('@osu-chat/core');
const { ChatProvider, useChannel, useMessages, useUnread } = await import('@osu-chat/react');
const h = React.createElement;

const OTHERS = 9;
const BURST = 100;
const BURSTS = quick ? 30 : 100;
const RUNS = quick ? 1 : 3;
const SHOWN = 20;
const START_ID = 1_000_000;

header(
  '5. React',
  `@osu-chat/react (production build, profiling renderer) in jsdom: ${fmt(BURSTS * BURST)} messages into one\n` +
    `channel in ${BURSTS} bursts of ${BURST} (each burst one socket write); the channel's component shows its newest\n` +
    `${SHOWN}; ${OTHERS} components are bound to other channels (useMessages + useUnread + useChannel). Figures per\n` +
    `burst: commits (<Profiler>), time from the push to the commit that shows the burst's last message. Baseline:\n` +
    `the same components over a minimal store fed by a bare ws client. Medians over bursts and ${RUNS} run(s),\n` +
    `with Node's ws delivery and with browser-like delivery (each frame its own macrotask).`,
);

const backend = await startBackend({ channels: 1 + OTHERS });
const [hotId, ...otherIds] = backend.channelIds;
const pushServer = await startPushServer();
const burstSpec = (b) => ({ channelIds: [hotId], startId: START_ID, from: b * BURST, count: BURST });

/** Counters shared by both apps' components. */
const counts = { commits: 0, otherRenders: 0 };
let committed = () => {};
const onRender = () => {
  counts.commits += 1;
};

function List({ messages }) {
  const last = messages[messages.length - 1];
  React.useLayoutEffect(() => committed(last?.id ?? last?.message_id));
  return h(
    'ul',
    null,
    messages.slice(-SHOWN).map((m) => h('li', { key: m.key ?? m.message_id }, m.content)),
  );
}

// ---- the engine app --------------------------------------------------------------------------------------

function EngineHot({ id }) {
  return h(List, { messages: useMessages(id).messages });
}

function EngineOther({ id }) {
  counts.otherRenders += 1;
  const { messages } = useMessages(id);
  const unread = useUnread(id);
  const channel = useChannel(id);
  return h('p', null, `${channel?.name ?? ''} ${messages.length} ${unread?.hasUnread ? '•' : ''}`);
}

async function engineRun() {
  const client = createChatClient({
    apiUrl: backend.emu.apiUrl,
    socketUrl: pushServer.url,
    token: backend.token,
  });
  const started = pushServer.nextStarted();
  const root = createRoot(document.createElement('div'));
  root.render(
    h(
      React.Profiler,
      { id: 'app', onRender },
      h(
        ChatProvider,
        { client },
        h(EngineHot, { id: hotId }),
        otherIds.map((id) => h(EngineOther, { key: id, id })),
      ),
    ),
  );
  const connection = await started;
  await until(() => client.connection.getSnapshot().status === 'live', 'live');
  await until(() => backend.channelIds.every((id) => client.messages(id).getSnapshot().loaded), 'pages');
  const result = await bursts(connection);
  root.unmount();
  client.dispose();
  return result;
}

// ---- the baseline app ------------------------------------------------------------------------------------

/** The minimal store: the bare client's arrays, plus a version per channel that each frame bumps. */
function bareStore() {
  const versions = new Map();
  const listeners = new Map();
  let lists = new Map();
  return {
    attach(channels) {
      lists = channels;
    },
    onFrame(frame) {
      for (const { channel_id: id } of frame.data.messages) {
        versions.set(id, (versions.get(id) ?? 0) + 1);
        for (const listener of listeners.get(id) ?? []) listener();
      }
    },
    use(id) {
      const subscribe = React.useCallback(
        (listener) => {
          const set = listeners.get(id) ?? new Set();
          listeners.set(id, set);
          set.add(listener);
          return () => set.delete(listener);
        },
        [id],
      );
      React.useSyncExternalStore(subscribe, () => versions.get(id) ?? 0);
      return lists.get(id) ?? [];
    },
  };
}

async function bareRun(taskPerFrame) {
  const store = bareStore();
  const bare = await connectBare({
    pushServer,
    cap: 500,
    onFrame: (frame) => store.onFrame(frame),
    taskPerFrame,
  });
  store.attach(bare.channels);
  const BareHot = ({ id }) => h(List, { messages: store.use(id) });
  const BareOther = ({ id }) => {
    counts.otherRenders += 1;
    const messages = store.use(id);
    return h('p', null, `#bench ${messages.length}`);
  };
  const root = createRoot(document.createElement('div'));
  root.render(
    h(
      React.Profiler,
      { id: 'app', onRender },
      h(BareHot, { id: hotId }),
      otherIds.map((id) => h(BareOther, { key: id, id })),
    ),
  );
  await settledHeap();
  const result = await bursts(bare.connection);
  root.unmount();
  bare.close();
  return result;
}

// ---- the bursts ------------------------------------------------------------------------------------------

/** Pushes the bursts one after another; per burst the commits and ms until the last message is committed. */
async function bursts(connection) {
  await settledHeap();
  const commits = [];
  const times = [];
  counts.otherRenders = 0;
  for (let b = 0; b < BURSTS; b += 1) {
    const lastId = START_ID + (b + 1) * BURST - 1;
    const shown = new Promise((resolve) => {
      committed = (id) => {
        if (id === lastId) resolve(now());
      };
    });
    const before = counts.commits;
    const started = now();
    await pushServer.push(connection, burstSpec(b));
    times.push((await shown) - started);
    // Let any trailing commit of this burst land before counting.
    await new Promise((resolve) => setImmediate(resolve));
    commits.push(counts.commits - before);
  }
  committed = () => {};
  return {
    commits: median(commits),
    maxCommits: Math.max(...commits),
    ms: median(times),
    others: counts.otherRenders,
  };
}

/** Both apps, `RUNS` times, in one delivery mode; medians of their per-run medians. */
async function measure(taskPerFrame, label) {
  await engineRun(taskPerFrame);
  await bareRun(taskPerFrame);
  const engine = [];
  const bare = [];
  for (let run = 1; run <= RUNS; run += 1) {
    const e = await engineRun(taskPerFrame);
    const b = await bareRun(taskPerFrame);
    engine.push(e);
    bare.push(b);
    console.log(
      `${label}, run ${run}: engine ${e.commits} commits/burst (max ${e.maxCommits}), ${fmt(e.ms, 2)} ms/burst, ` +
        `${e.others} other renders; baseline ${b.commits} commits/burst (max ${b.maxCommits}), ${fmt(b.ms, 2)} ms/burst`,
    );
  }
  return { engine, bare };
}

const pick = (results, key) => median(results.map((r) => r[key]));
const worst = (results, key) => Math.max(...results.map((r) => r[key]));
const node = await measure(false, 'ws delivery');
const browser = await measure(true, 'browser-like delivery');
console.log('');

const rows = (label, { engine, bare }) => {
  const commits = pick(engine, 'commits');
  const others = worst(engine, 'others');
  return [
    row(`${label}: commits per burst of ${BURST} (median)`, commits, pick(bare, 'commits'), {
      digits: 1,
      target: '1',
      pass: commits <= 1,
    }),
    row(`${label}: time per burst, push to commit (ms)`, pick(engine, 'ms'), pick(bare, 'ms'), { digits: 2 }),
    row(`${label}: renders of components bound to other channels`, others, worst(bare, 'others'), {
      ratio: '—',
      target: '0',
      pass: others === 0,
    }),
  ];
};
report('react', [...rows('ws delivery', node), ...rows('browser-like delivery', browser)]);
console.log(
  "ws delivery: Node's ws emits every frame of one TCP read synchronously (what jsdom tests see). Browser-like:\n" +
    'each frame dispatched in its own macrotask, as browsers deliver WebSocket messages.\n',
);

await pushServer.close();
await backend.emu.close();
