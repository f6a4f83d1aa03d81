// The client's session against the real emulator: connecting, socket auth, tokens and their failures, the
// lifetime calls (disconnect, mount/unmount, dispose), reconnect backoff and a server that never says ready.
import type { AddressInfo } from 'node:net';
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { ChatEvent } from '../events.js';
import { type ChatClient, type ChatClientOptions, createChatClient } from '../index.js';
import {
  addPublicChannel,
  addUser,
  connectClient,
  LAZER_ONLY_ROUTES,
  ManualClock,
  type RecordedRequest,
  recordingFetch,
  settle,
  startEmulator,
  type TestUser,
  waitForStatus,
} from './helpers.js';

/** A `ws` constructor that records every socket the client opens and the frames each one carries. */
function recordingWebSocket() {
  const urls: string[] = [];
  const sockets: WebSocket[] = [];
  /** `in <frame>` / `out <frame>` in wire order, over every socket. */
  const trace: string[] = [];
  function RecordingWebSocket(url: string, options?: WebSocket.ClientOptions) {
    urls.push(url);
    const socket = new WebSocket(url, options);
    sockets.push(socket);
    socket.addEventListener('message', (event) => trace.push(`in ${String(event.data)}`));
    const send = socket.send.bind(socket);
    socket.send = ((data: string) => {
      trace.push(`out ${data}`);
      send(data);
    }) as typeof socket.send;
    return socket;
  }
  return { WebSocket: RecordingWebSocket as unknown, urls, sockets, trace };
}

interface Harness {
  client: ChatClient;
  events: ChatEvent[];
  requests: RecordedRequest[];
  ws: ReturnType<typeof recordingWebSocket>;
}

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
const clients: ChatClient[] = [];

/** A client for `user` with recorded fetch and sockets; not connected yet. */
function makeClient(user: TestUser, options: Partial<ChatClientOptions> = {}): Harness {
  const recorder = recordingFetch();
  const ws = recordingWebSocket();
  const client = createChatClient({
    apiUrl: emu.apiUrl,
    socketUrl: emu.socketUrl,
    token: user.token,
    fetch: recorder.fetch,
    WebSocket: ws.WebSocket,
    ...options,
  });
  clients.push(client);
  const events: ChatEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  return { client, events, requests: recorder.requests, ws };
}

const meRequests = (requests: RecordedRequest[]) => requests.filter((r) => r.path === '/api/v2/me').length;
const framesOut = (events: ChatEvent[], name: string) =>
  events.filter((e) => e.type === 'frame' && e.direction === 'out' && e.event === name).length;

beforeEach(async () => {
  emu = await startEmulator();
  alice = addUser(emu, 'alice', 'lazer');
  bob = addUser(emu, 'bob', 'lazer');
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  await emu.close();
});

describe('connecting', () => {
  it('goes live with /me resolved, lazer mode for a * token, chat.start after connection.ready, and acks at once', async () => {
    const clock = new ManualClock();
    const { client, events, requests, ws } = makeClient(alice, { clock });
    client.connect();
    await waitForStatus(client, 'live');

    const state = client.connection.getSnapshot();
    expect(state.user).toMatchObject({ id: alice.id, username: 'alice' });
    expect(state.mode).toBe('lazer');
    expect(state.attempt).toBe(0);
    expect(state.error).toBeNull();
    // chat.start goes out only after the server's connection.ready (it ignores anything sent before).
    const ready = ws.trace.indexOf('in {"event":"connection.ready"}');
    const start = ws.trace.indexOf('out {"event":"chat.start"}');
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThan(ready);
    expect(framesOut(events, 'chat.start')).toBe(1);
    // The ack is sent on entering live, without any timer having fired.
    await vi.waitFor(() =>
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'http', path: '/chat/ack', status: 200 }),
      ),
    );
    expect(clock.now()).toBe(new ManualClock().now());
    expect(requests.filter((r) => r.path === '/api/v2/chat/ack')).toHaveLength(1);

    // chat delivery is really on: a PM from bob arrives over the socket. (Its ack answered after chat.start
    // went out on the socket, so the server has read chat.start by now.)
    const pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    emu.postMessage(pm, { sender_id: bob.id, content: 'hi alice' });
    await vi.waitFor(() =>
      expect(events.some((e) => e.type === 'message' && e.message.content === 'hi alice')).toBe(true),
    );
  });

  it('uses thirdParty mode for a scoped token and never calls lazer-only routes', async () => {
    const carol = addUser(emu, 'carol', 'thirdParty');
    const { client, requests } = makeClient(carol);
    client.connect();
    await waitForStatus(client, 'live');
    expect(client.connection.getSnapshot().mode).toBe('thirdParty');
    expect(client.connection.getSnapshot().user?.id).toBe(carol.id);
    await vi.waitFor(() => expect(requests.some((r) => r.path === '/api/v2/chat/ack')).toBe(true));
    expect(requests.filter((r) => LAZER_ONLY_ROUTES.includes(r.path))).toEqual([]);
  });

  it('authenticates the Node socket with the header: no access_token in any URL it opened', async () => {
    const { client, ws } = makeClient(alice);
    client.connect();
    await waitForStatus(client, 'live');
    expect(ws.urls).toEqual([emu.socketUrl]);
    expect(ws.urls.some((url) => url.includes('access_token'))).toBe(false);
  });

  it("puts the token in ?access_token= with socketAuth: 'query'", async () => {
    const { client, ws } = makeClient(alice, { socketAuth: 'query' });
    client.connect();
    await waitForStatus(client, 'live');
    expect(ws.urls).toHaveLength(1);
    expect(new URL(ws.urls[0] as string).searchParams.get('access_token')).toBe(alice.token);
  });
});

describe('tokens', () => {
  it('goes loggedOut when the token is revoked and never tries to reconnect', async () => {
    const clock = new ManualClock();
    const { client, requests, ws } = makeClient(alice, { clock });
    client.connect();
    await waitForStatus(client, 'live');
    const mes = meRequests(requests);

    emu.revokeToken(alice.token);
    await waitForStatus(client, 'loggedOut');
    expect(client.connection.getSnapshot().error?.kind).toBe('auth');
    await clock.advance(10 * 60_000);
    await settle();
    expect(client.connection.getSnapshot().status).toBe('loggedOut');
    expect(meRequests(requests)).toBe(mes);
    expect(ws.urls).toHaveLength(1);
  });

  it('asks the provider once more after a refused token, then stops in unauthorized without leaking it', async () => {
    const bad = `${alice.token.slice(0, -8)}AAAAAAAA`;
    let calls = 0;
    const { client, events } = makeClient(alice, {
      token: () => {
        calls += 1;
        return bad;
      },
    });
    client.connect();
    await waitForStatus(client, 'unauthorized');
    expect(calls).toBe(2);
    const { error } = client.connection.getSnapshot();
    expect(error?.kind).toBe('auth');
    expect(error?.message).not.toContain(bad);
    expect(String(error)).not.toContain(bad);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(JSON.stringify(event)).not.toContain(bad);
    // Nothing more happens on its own.
    await settle();
    expect(calls).toBe(2);
  });

  it('goes live when the provider gives a good token after a 401', async () => {
    let calls = 0;
    const { client } = makeClient(alice, {
      token: async () => {
        calls += 1;
        return calls === 1 ? 'not-a-token' : alice.token;
      },
    });
    client.connect();
    await waitForStatus(client, 'live');
    expect(calls).toBe(2);
    expect(client.connection.getSnapshot().user?.id).toBe(alice.id);
  });
});

describe('lifetime', () => {
  it('disconnect() sends chat.end and goes idle; connect() goes live again', async () => {
    const { client, events } = makeClient(alice);
    client.connect();
    await waitForStatus(client, 'live');
    client.disconnect();
    expect(client.connection.getSnapshot().status).toBe('idle');
    expect(framesOut(events, 'chat.end')).toBe(1);
    client.connect();
    await waitForStatus(client, 'live');
    expect(framesOut(events, 'chat.start')).toBe(2);
  });

  it('ref-counts mount()/unmount(), and a same-tick unmount+mount (StrictMode) keeps the session', async () => {
    const clock = new ManualClock();
    const { client, requests } = makeClient(alice, { clock });
    const first = client.mount();
    const second = client.mount();
    await waitForStatus(client, 'live');
    second();
    await clock.advance(0);
    expect(client.connection.getSnapshot().status).toBe('live');

    // StrictMode: the effect's cleanup and its re-run happen in the same tick.
    first();
    const again = client.mount();
    await clock.advance(0);
    await settle();
    expect(client.connection.getSnapshot().status).toBe('live');
    expect(meRequests(requests)).toBe(1);

    again();
    expect(client.connection.getSnapshot().status).toBe('live');
    await clock.advance(0);
    expect(client.connection.getSnapshot().status).toBe('idle');
  });

  it('dispose() cancels every timer and closes the socket', async () => {
    const clock = new ManualClock();
    const { client, ws } = makeClient(alice, { clock });
    addPublicChannel(emu, 'osu', [alice]);
    client.connect();
    await waitForStatus(client, 'live');
    await vi.waitFor(() => expect(client.channels.getSnapshot().length).toBe(1));
    // A read marker waiting for its 1 s throttle, besides the keepalive's next ack.
    const channelId = client.channels.getSnapshot()[0]?.id as number;
    client.markAsRead(channelId, 1);
    client.markAsRead(channelId, 2);
    expect(clock.pending).toBeGreaterThanOrEqual(2);

    client.dispose();
    expect(clock.pending).toBe(0);
    await vi.waitFor(() => expect(ws.sockets.every((s) => s.readyState === WebSocket.CLOSED)).toBe(true));
    expect(() => client.connect()).toThrow(expect.objectContaining({ kind: 'closed' }));
  });
});

describe('reconnecting', () => {
  it('backs off 3 s ±25 %, then ×1.5, while /me fails; goes live with attempt 0 once it works', async () => {
    const clock = new ManualClock();
    const { client } = await connectClient(emu, alice, { clock });
    emu.setFaults([{ method: 'GET', path: '/api/v2/me', status: 503 }]);
    emu.dropSockets({ user_id: alice.id });

    await vi.waitFor(() => expect(client.connection.getSnapshot().attempt).toBe(1));
    const first = client.connection.getSnapshot();
    expect(first.status).toBe('reconnecting');
    const firstDelay = (first.nextRetryAt as number) - clock.now();
    expect(firstDelay).toBeGreaterThanOrEqual(2250);
    expect(firstDelay).toBeLessThanOrEqual(3750);

    await clock.advance(firstDelay);
    await vi.waitFor(() => expect(client.connection.getSnapshot().attempt).toBe(2));
    const second = client.connection.getSnapshot();
    expect(second.status).toBe('reconnecting');
    expect(second.error).toMatchObject({ kind: 'http', status: 503 });
    const secondDelay = (second.nextRetryAt as number) - clock.now();
    expect(secondDelay).toBeGreaterThanOrEqual(4500 * 0.75);
    expect(secondDelay).toBeLessThanOrEqual(4500 * 1.25);

    emu.clearFaults();
    await clock.advance(secondDelay);
    await waitForStatus(client, 'live');
    expect(client.connection.getSnapshot()).toMatchObject({ attempt: 0, nextRetryAt: null, error: null });
  });

  it('gives up on a socket that never sends connection.ready after 15 s and reconnects with a network error', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => silent.once('listening', () => resolve()));
    const accepted: WebSocket[] = [];
    silent.on('connection', (socket) => accepted.push(socket));
    try {
      const clock = new ManualClock();
      const { port } = silent.address() as AddressInfo;
      const { client } = makeClient(alice, { clock, socketUrl: `ws://127.0.0.1:${port}/` });
      client.connect();
      await vi.waitFor(() => expect(accepted).toHaveLength(1));
      expect(client.connection.getSnapshot()).toMatchObject({
        status: 'connecting',
        detail: 'socket.awaitingReady',
      });

      await clock.advance(14_999);
      expect(client.connection.getSnapshot().status).toBe('connecting');
      await clock.advance(1);
      const state = client.connection.getSnapshot();
      expect(state.status).toBe('reconnecting');
      expect(state.attempt).toBe(1);
      expect(state.error?.kind).toBe('network');
      expect(state.error?.message).toContain('connection.ready');
    } finally {
      for (const socket of silent.clients) socket.terminate();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
