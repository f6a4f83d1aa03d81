// Hostile input through the real client: a notification server in front of the emulator's relays the real
// frames and adds, holds, reorders or withholds others, or misbehaves (never says ready, never answers the
// upgrade, goes silent after ready). Every bad frame is a typed `protocol` error on events$ that changes
// nothing; the engine keeps working (a real message afterwards arrives). Unknown events and unknown channels
// are not errors: osu! sends both in normal operation (notifications; a first message before its channel).
// Client and emulator use real time, except where a test moves a ManualClock. hostile.fuzz.test.ts drives the
// decoder and the reducer with random frames.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { ChatEvent } from '../events.js';
import { type ChatClient, type ChatClientOptions, createChatClient } from '../index.js';
import {
  addPublicChannel,
  addUser,
  type ConnectedClient,
  clientMessages,
  connectClient,
  ManualClock,
  serverMessages,
  startEmulator,
  type TestUser,
  waitForStatus,
} from './helpers.js';

/**
 * A notification server in front of the emulator's. Each connection opens its own upstream socket with the
 * client's Authorization header and relays frames both ways; the test can add frames (`inject`), hold the
 * real ones back and release them in any order, or make the next connections misbehave (`modes`):
 * `noUpgrade` accepts TCP and never answers the upgrade, `silent` upgrades and never sends anything. It pings
 * its clients every 100 ms, as osu! does every 20 s, until `stall()` silences the newest connection.
 */
class Relay {
  /** How the next connections behave, in order; then `relay`. */
  readonly modes: ('noUpgrade' | 'silent')[] = [];
  /** Upgrade requests received. */
  attempts = 0;
  readonly connections: { downstream: WebSocket; upstream: WebSocket | null; stalled: boolean }[] = [];
  /** Frames held back while holding, in arrival order. */
  held: string[] | null = null;
  private readonly pending: Socket[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly pinger = setInterval(() => {
    for (const c of this.connections)
      if (!c.stalled && c.downstream.readyState === WebSocket.OPEN) c.downstream.ping();
  }, 100);

  private constructor(
    private readonly server: Server,
    private readonly upstreamUrl: string,
    readonly url: string,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.attempts += 1;
      const mode = this.modes.shift();
      if (mode === 'noUpgrade') {
        this.pending.push(socket);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, mode === 'silent'));
    });
  }

  static async start(upstreamUrl: string): Promise<Relay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new Relay(server, upstreamUrl, `ws://127.0.0.1:${port}/home/notifications/feed`);
  }

  private accept(downstream: WebSocket, req: IncomingMessage, silent: boolean): void {
    const connection = { downstream, upstream: null as WebSocket | null, stalled: false };
    this.connections.push(connection);
    downstream.on('error', () => {});
    if (silent) return;
    const upstream = new WebSocket(this.upstreamUrl, {
      headers: { authorization: req.headers.authorization ?? '' },
    });
    connection.upstream = upstream;
    upstream.on('error', () => downstream.terminate());
    upstream.on('close', () => downstream.terminate());
    downstream.on('close', () => upstream.terminate());
    upstream.on('message', (data) => {
      if (connection.stalled) return;
      if (this.held) this.held.push(String(data));
      else downstream.send(String(data));
    });
    downstream.on('message', (data) => {
      if (!connection.stalled && upstream.readyState === WebSocket.OPEN) upstream.send(String(data));
    });
  }

  private get newest() {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('no connection yet');
    return connection;
  }

  /** Sends a frame to the newest connection as if the server had. */
  inject(frame: string | Buffer): void {
    this.newest.downstream.send(frame);
  }

  /** Holds the real frames back from now on. */
  hold(): void {
    this.held = [];
  }

  /** Delivers `frames` (by default the held ones, in order) and stops holding. */
  release(frames: string[] = this.held ?? []): void {
    this.held = null;
    for (const frame of frames) this.inject(frame);
  }

  /** The newest connection goes quiet: no frames either way, no pings. */
  stall(): void {
    this.newest.stalled = true;
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const socket of this.pending) socket.destroy();
    for (const { downstream, upstream } of this.connections) {
      downstream.terminate();
      upstream?.terminate();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let emu: Emulator;
let relay: Relay;
let alice: TestUser;
let bob: TestUser;
let channelId: number;
let connected: ConnectedClient[];

beforeEach(async () => {
  emu = await startEmulator();
  relay = await Relay.start(emu.socketUrl);
  alice = addUser(emu, 'alice');
  bob = addUser(emu, 'bob');
  channelId = addPublicChannel(emu, '#osu', [alice, bob]);
  connected = [];
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const { client } of connected) client.dispose();
  await relay.close();
  await emu.close();
});

/** A live client behind the relay, with `#osu`'s newest page loaded. */
async function connect(user = alice, options: Partial<ChatClientOptions> = {}): Promise<ConnectedClient> {
  const result = await connectClient(emu, user, {
    socketUrl: relay.url,
    backoff: { initialMs: 50, jitter: 0 },
    ...options,
  });
  connected.push(result);
  const messages = result.client.messages(channelId);
  messages.subscribe(() => {});
  await vi.waitFor(() => expect(messages.getSnapshot().loaded).toBe(true), { timeout: 5000 });
  return result;
}

const errorsOf = (events: ChatEvent[]) => events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
/** The distinct errors the connection state reported on events$. */
const connectionErrors = (events: ChatEvent[]) => [
  ...new Set(events.flatMap((e) => (e.type === 'connection' && e.state.error ? [e.state.error] : []))),
];
const framesIn = (events: ChatEvent[], name: string) =>
  events.filter((e) => e.type === 'frame' && e.direction === 'in' && e.event === name).length;

let sentinels = 0;
/** Sends `frames` down the socket, then a harmless frame; resolves once the client has read all of them. */
async function inject(events: ChatEvent[], frames: (string | Buffer)[]): Promise<void> {
  const name = `test.sentinel.${++sentinels}`;
  for (const frame of frames) relay.inject(frame);
  relay.inject(JSON.stringify({ event: name, data: {} }));
  await vi.waitFor(() => expect(framesIn(events, name)).toBe(1), { timeout: 5000 });
}

/** A real message posted now reaches the client: the socket still works. */
async function expectStillWorking(client: ChatClient, text = 'still here'): Promise<void> {
  expect(client.connection.getSnapshot().status).toBe('live');
  emu.postMessage(channelId, { sender_id: bob.id, content: text });
  await vi.waitFor(
    () => expect(clientMessages(client, channelId).map(([, content]) => content)).toContain(text),
    { timeout: 5000 },
  );
}

/** A well-formed osu! ChatMessage of bob's. */
function message(id: number, patch: Record<string, unknown> = {}) {
  return {
    message_id: id,
    channel_id: channelId,
    sender_id: bob.id,
    content: `fake ${id}`,
    timestamp: '2025-01-01T12:00:00+00:00',
    is_action: false,
    type: 'plain',
    ...patch,
  };
}

const bobJson = () => ({ id: bob.id, username: 'bob', avatar_url: null, country_code: 'JP' });
const newMessages = (messages: unknown[], users: unknown[] = [bobJson()]) =>
  JSON.stringify({ event: 'chat.message.new', data: { messages, users } });
const join = (data: unknown) => JSON.stringify({ event: 'chat.channel.join', data });
const part = (data: unknown) => JSON.stringify({ event: 'chat.channel.part', data });
const channelJson = (patch: Record<string, unknown> = {}) => ({
  channel_id: 4242,
  name: '#elsewhere',
  description: '',
  type: 'PUBLIC',
  ...patch,
});

describe('frames the engine cannot use', () => {
  it('reports wrong types and bad ids in every known event as `protocol` errors and changes nothing', async () => {
    const { client, events } = await connect();
    const before = client.store.snapshot;
    const frames = [
      // Not an event at all.
      '',
      '   ',
      'null',
      'true',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      '{"event": 42}',
      '{"event": null, "data": {}}',
      '{"event": ["chat.message.new"]}',
      '{"error": "something else went wrong"}',
      // chat.message.new with the wrong shapes or types.
      '{"event": "chat.message.new", "data": null}',
      '{"event": "chat.message.new", "data": [1, 2]}',
      newMessages([null]),
      newMessages([42]),
      newMessages([message(900, { sender_id: 0 })]),
      newMessages([message(900, { sender_id: -bob.id })]),
      newMessages([message(900, { channel_id: String(channelId) })]),
      newMessages([message(900, { channel_id: channelId + 0.5 })]),
      newMessages([message(900, { channel_id: -channelId })]),
      newMessages([message(900, { content: null })]),
      newMessages([message(900, { timestamp: 1735732800 })]),
      newMessages([message(2 ** 53)]),
      newMessages([message(1e21)]),
      newMessages([message(900)], [{ id: -1, username: 'bob' }]),
      newMessages([message(900)], [{ id: bob.id, username: 42 }]),
      // chat.channel.join and chat.channel.part.
      join(null),
      join(channelJson({ channel_id: '4242' })),
      join(channelJson({ channel_id: -4242 })),
      join(channelJson({ channel_id: 4242.5 })),
      join(channelJson({ type: 'BOGUS' })),
      join(channelJson({ name: 42 })),
      join(channelJson({ last_message_id: -3 })),
      join(channelJson({ current_user_attributes: { last_read_id: 1.5 } })),
      part('gone'),
      part({ channel_id: String(channelId) }),
      part({ channel_id: channelId + 0.5 }),
      part({}),
    ];
    await inject(events, frames);

    const errors = errorsOf(events);
    expect(errors).toHaveLength(frames.length);
    for (const error of errors)
      expect(error).toMatchObject({ name: 'ChatError', kind: 'protocol', retryable: false });
    expect(client.store.snapshot).toBe(before);
    await expectStillWorking(client);
  });

  it('ignores events it does not know (osu! notifications, future events) but traces them', async () => {
    const { client, events } = await connect();
    const before = client.store.snapshot;
    const unknown = ['new', 'read', 'delete', 'chat.message.edited', 'constructor', '__proto__', 'toString'];
    await inject(events, [
      ...unknown.map((event) => JSON.stringify({ event, data: { notifications: [], id: 1 } })),
      JSON.stringify({ event: 'verified' }),
    ]);
    expect(errorsOf(events)).toEqual([]);
    for (const event of unknown) expect(framesIn(events, event)).toBe(1);
    expect(client.store.snapshot).toBe(before);
    await expectStillWorking(client);
  });
});

describe('prototype keys', () => {
  it('takes __proto__ and constructor keys as plain data: no field comes from them, nothing is polluted', async () => {
    const { client, events } = await connect();
    const json = newMessages(
      [message(900, { content: '__proto__' })],
      [{ ...bobJson(), username: 'constructor' }],
    );
    // JSON.parse makes these own keys (an object literal would set the prototype instead).
    const hostile = json
      .replace(
        '{"event"',
        '{"constructor": {"prototype": {"polluted": 1}}, "__proto__": {"polluted": 1}, "event"',
      )
      .replace(
        '"message_id"',
        '"__proto__": {"is_action": true, "polluted": 1}, "constructor": 1, "hasOwnProperty": 2, "message_id"',
      )
      .replace('"messages"', '"__proto__": {"messages": []}, "messages"');
    await inject(events, [hostile]);
    expect(errorsOf(events)).toEqual([]);
    const received = client
      .messages(channelId)
      .getSnapshot()
      .messages.find((m) => m.id === 900);
    expect(received).toMatchObject({ content: '__proto__', isAction: false, senderId: bob.id });
    expect(client.store.snapshot.users.get(bob.id)?.username).toBe('constructor');
    for (const probe of [{}, [], new Map()]) {
      expect((probe as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
    await expectStillWorking(client);
  });
});

describe('ids the client did not expect', () => {
  it('fetches a channel it only knows from a message, and drops it when osu! does not know it either', async () => {
    const { client, events, requests } = await connect();
    const listed = client.channels.getSnapshot();
    await inject(events, [
      newMessages([message(900, { channel_id: 987_654 })]),
      part({ channel_id: 987_655 }),
    ]);
    await vi.waitFor(() =>
      expect(requests.some((r) => r.path === '/api/v2/chat/channels/987654')).toBe(true),
    );
    await vi.waitFor(() => expect(client.store.snapshot.channels.has(987_654)).toBe(false));
    expect(client.store.snapshot.messages.has(987_654)).toBe(false);
    expect(client.channels.getSnapshot()).toEqual(listed);
    expect(errorsOf(events)).toEqual([]);
    await expectStillWorking(client);
  });

  it('keeps messages in id order and once each, whatever order and however often they arrive', async () => {
    const { client, events } = await connect();
    relay.hold();
    for (let i = 1; i <= 5; i += 1) emu.postMessage(channelId, { sender_id: bob.id, content: `m${i}` });
    await vi.waitFor(() => expect(relay.held).toHaveLength(5));
    const [m1, m2, m3, m4, m5] = relay.held as [string, string, string, string, string];
    relay.release([m5, m3, m5, m4, m1, m2, m1, m3]);
    await vi.waitFor(() => expect(clientMessages(client, channelId)).toEqual(serverMessages(emu, channelId)));
    expect(events.filter((e) => e.type === 'message')).toHaveLength(8);

    // A reconnect's backfill brings them all again from history: still once each.
    emu.dropSockets({ user_id: alice.id });
    await waitForStatus(client, 'reconnecting');
    await waitForStatus(client, 'live');
    await vi.waitFor(() => expect(client.messages(channelId).getSnapshot().continuity).toBe('live'));
    expect(clientMessages(client, channelId)).toEqual(serverMessages(emu, channelId));
    await expectStillWorking(client);
    const ids = clientMessages(client, channelId).map(([id]) => id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
  });
});

describe('huge messages', () => {
  it('refuses to send 1 MB, takes 1 MB from the socket and from history, and survives a 2 MB bad frame', async () => {
    const { client, events } = await connect();
    const huge = 'x'.repeat(1_000_000);
    await expect(client.send(channelId, huge)).rejects.toMatchObject({ kind: 'invalid' });
    expect(client.messages(channelId).getSnapshot().messages).toEqual([]);
    expect(serverMessages(emu, channelId)).toEqual([]);

    emu.updateConfig({ message_length_limit: 1_000_000 });
    emu.postMessage(channelId, { sender_id: bob.id, content: huge });
    await vi.waitFor(() => expect(clientMessages(client, channelId)[0]?.[1]).toHaveLength(1_000_000), {
      timeout: 10_000,
    });
    await inject(events, [`{"event": "chat.message.new", "data": {"messages": ["${'y'.repeat(2_000_000)}`]);
    expect(errorsOf(events).map((e) => e.kind)).toEqual(['protocol']);

    const fresh = await connect(bob);
    expect(clientMessages(fresh.client, channelId)[0]?.[1]).toBe(huge);
    await expectStillWorking(client);
  });
});

describe('servers that misbehave', () => {
  it.each([
    ['accepts the connection and never answers the upgrade', 'noUpgrade'],
    ['upgrades and never sends connection.ready', 'silent'],
  ] as const)('gives up after 15 s on a server that %s, then recovers', async (_, mode) => {
    const clock = new ManualClock();
    relay.modes.push(mode);
    const client = createChatClient({
      apiUrl: emu.apiUrl,
      socketUrl: relay.url,
      token: alice.token,
      clock,
      backoff: { initialMs: 1000, jitter: 0 },
    });
    const events: ChatEvent[] = [];
    client.events$.subscribe((event) => events.push(event));
    connected.push({ client, events, requests: [] });
    client.connect();
    await vi.waitFor(() => expect(relay.attempts).toBe(1));
    expect(client.connection.getSnapshot()).toMatchObject({
      status: 'connecting',
      detail: 'socket.awaitingReady',
    });
    await clock.advance(14_999);
    expect(client.connection.getSnapshot().status).toBe('connecting');
    await clock.advance(1);
    expect(client.connection.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 1 });
    expect(connectionErrors(events)).toEqual([
      expect.objectContaining({ name: 'ChatError', kind: 'network', retryable: true }),
    ]);
    expect(connectionErrors(events)[0]?.message).toContain('connection.ready');

    await clock.advance(1000);
    await waitForStatus(client, 'live');
    expect(relay.attempts).toBe(2);
    client.messages(channelId).subscribe(() => {});
    await vi.waitFor(() => expect(client.messages(channelId).getSnapshot().loaded).toBe(true));
    await expectStillWorking(client);
  });

  it('drops a socket that said ready and then went silent (no frames, no pings), and reconnects', async () => {
    // The client's 45 s ping timeout runs on real time, checked every 15 s: shorten exactly that interval.
    const realSetInterval = globalThis.setInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((callback: () => void, ms?: number) =>
      realSetInterval(callback, ms === 15_000 ? 100 : ms)) as typeof setInterval);
    const { client, events } = await connect();
    relay.stall();
    await waitForStatus(client, 'reconnecting');
    expect(connectionErrors(events)).toEqual([
      expect.objectContaining({ name: 'ChatError', kind: 'network', retryable: true }),
    ]);
    expect(connectionErrors(events)[0]?.message).toContain('No ping');
    await waitForStatus(client, 'live');
    expect(relay.connections).toHaveLength(2);
    await expectStillWorking(client);
    expect(errorsOf(events)).toEqual([]);
  });
});
