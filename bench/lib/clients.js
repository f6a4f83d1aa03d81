// The two clients every socket benchmark compares: the engine (`createChatClient` from the built
// @osu-chat/core, HTTP against the emulator, socket against the push server) and a bare `ws` client that
// JSON.parses each frame and appends its messages to per-channel arrays.
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { now, until } from './common.js';

/**
 * The engine under test: the built @osu-chat/core, or `--core=<file>` (another build of it, e.g. a change
 * being profiled, measured against the same baseline).
 */
const coreOption = process.argv.find((arg) => arg.startsWith('--core='))?.slice('--core='.length);
export const loadCore = () => import(coreOption ? pathToFileURL(coreOption).href : '@osu-chat/core');

/**
 * An emulator serving the engine's HTTP side: a lazer (`*`) user who is a member of `channels` PUBLIC channels,
 * so `GET /chat/updates` lists them and every history request succeeds.
 */
export async function startBackend({ channels }) {
  const { createEmulator } = await import('@osu-chat/emulator');
  // A day-long activity window (a slow run must not see its acks lapse) and no API throttle (every run opens
  // every channel again).
  const emu = await createEmulator({ limits: { activity_timeout: 86_400, api_throttle_per_minute: 1e9 } });
  const { user, token } = emu.createUser({ username: 'bench', scopes: ['*'] });
  const channelIds = [];
  for (let i = 0; i < channels; i += 1) {
    const created = emu.createChannel({ name: `#bench-${i}`, type: 'PUBLIC', members: [user.id] });
    channelIds.push(created.channel.channel_id);
  }
  return { emu, user, token, channelIds };
}

/**
 * Connects an engine client to the backend's HTTP and the push server's socket, waits until it is live with
 * every channel listed, then opens every channel's messages (as a UI showing them would) and waits until
 * their newest pages are loaded. Returns the client, its push connection id, and a watcher.
 */
export async function connectEngine({ backend, pushServer, messageCap }) {
  const { createChatClient } = await loadCore();
  const started = pushServer.nextStarted();
  const client = createChatClient({
    apiUrl: backend.emu.apiUrl,
    socketUrl: pushServer.url,
    token: backend.token,
    messageCap,
  });
  const errors = [];
  const errorWatch = client.events$.subscribe((event) => {
    if (event.type === 'error') errors.push(event.error);
  });
  client.connect();
  const connection = await started;
  await until(() => client.connection.getSnapshot().status === 'live', 'the engine to be live');
  await until(() => client.channels.getSnapshot().length === backend.channelIds.length, 'the channel list');
  const watcher = watchChannels(client, backend.channelIds);
  await until(
    () => backend.channelIds.every((id) => client.messages(id).getSnapshot().loaded),
    'the newest pages',
  ).catch((error) => {
    throw new Error(`${error.message}; engine errors: ${errors.map((e) => e.message).join('; ') || 'none'}`);
  });
  // Nothing watches events$ during the measurement: the engine skips building events nobody observes.
  errorWatch.unsubscribe();
  return { client, connection, watcher };
}

/**
 * Subscribes to every channel's `messages(id)` Readable (the public API a UI uses). `arrived` resolves with the
 * time at which each channel's newest message has the expected id; `passing` records when the newest visible
 * message id first reaches each of a list of ids (a batch is applied at once, so every lower id is visible too).
 */
function watchChannels(client, channelIds) {
  let targets = null;
  let remaining = 0;
  let resolve = () => {};
  const reached = new Set();
  let marks = [];
  let times = [];
  let newest = 0;
  const stops = channelIds.map((id) => {
    const readable = client.messages(id);
    return readable.subscribe(() => {
      const { messages } = readable.getSnapshot();
      const last = messages[messages.length - 1]?.id ?? 0;
      if (last > newest) {
        newest = last;
        while (times.length < marks.length && newest >= marks[times.length]) times.push(now());
      }
      if (targets === null || reached.has(id) || last !== targets.get(id)) return;
      reached.add(id);
      remaining -= 1;
      if (remaining === 0) resolve(now());
    });
  });
  return {
    /** Resolves with `performance.now()` when every channel's newest message id is `lastIds.get(id)`. */
    arrived(lastIds) {
      targets = lastIds;
      remaining = lastIds.size;
      reached.clear();
      return new Promise((r) => {
        resolve = r;
      });
    },
    /** From now on, records when the newest visible id reaches each of `ids` (ascending); returns the times. */
    passing(ids) {
      marks = ids;
      times = [];
      newest = 0;
      return times;
    },
    /** Messages held over every watched channel. */
    held() {
      let total = 0;
      for (const id of channelIds) total += client.messages(id).getSnapshot().messages.length;
      return total;
    },
    stop() {
      for (const stop of stops) stop();
    },
  };
}

/**
 * The baseline: a bare `ws` client that answers `connection.ready` with `chat.start`, then JSON.parses every
 * frame and appends its messages to a per-channel array (keeping the newest `cap` when a cap is given).
 * `onFrame` (optional) sees each parsed frame after its messages were appended. `taskPerFrame` handles each
 * frame in its own macrotask, as browsers deliver WebSocket messages (see {@link TaskPerFrameWebSocket}).
 */
export async function connectBare({
  pushServer,
  cap = Number.POSITIVE_INFINITY,
  onFrame,
  taskPerFrame = false,
}) {
  const started = pushServer.nextStarted();
  const channels = new Map();
  let count = 0;
  let expected = Number.POSITIVE_INFINITY;
  let resolve = () => {};
  let marks = [];
  let times = [];
  const ws = new WebSocket(pushServer.url, { perMessageDeflate: false });
  let ready = false;
  const handle = (data) => {
    if (!ready) {
      ready = true;
      ws.send('{"event":"chat.start"}');
      return;
    }
    const frame = JSON.parse(data.toString());
    for (const message of frame.data.messages) {
      let list = channels.get(message.channel_id);
      if (!list) {
        list = [];
        channels.set(message.channel_id, list);
      }
      list.push(message);
      if (list.length >= cap * 2) list.splice(0, list.length - cap);
    }
    onFrame?.(frame);
    count += 1;
    if (count === marks[times.length]) times.push(now());
    if (count === expected) resolve(now());
  };
  ws.on('message', taskPerFrame ? (data) => setImmediate(handle, data) : handle);
  const connection = await started;
  return {
    connection,
    channels,
    /** Resolves with `performance.now()` once `frames` frames have arrived in total. */
    arrived(frames) {
      expected = frames;
      return new Promise((r) => {
        resolve = r;
        if (count >= expected) r(now());
      });
    },
    /** From now on, records when the frame count reaches each of `counts` (ascending); returns the times. */
    passing(counts) {
      marks = counts;
      times = [];
      return times;
    },
    close() {
      ws.terminate();
    },
  };
}

/**
 * A `ws` WebSocket that dispatches each `message` event in its own macrotask, as browsers do (each message is a
 * task, with a microtask checkpoint after it). Node's `ws` emits every frame of one TCP read synchronously, so
 * work batched per microtask sees whole bursts there, but only one frame at a time in a browser.
 */
export class TaskPerFrameWebSocket extends WebSocket {
  addEventListener(type, listener, options) {
    if (type !== 'message') return super.addEventListener(type, listener, options);
    return super.addEventListener('message', (event) => setImmediate(listener, event), options);
  }
}
