// Continuity against the real emulator: after a reconnect, and after a keepalive that lapsed past osu!'s 60 s
// activity window, every loaded channel is healed by `since` backfill until it holds exactly the server's
// messages (in order, none twice, none missing), merging live messages that arrive meanwhile; a backfill that
// runs out of pages says `gap` instead of pretending to be `live`.
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatEvent } from '../events.js';
import type { ChatClient, ChatClientOptions } from '../index.js';
import type { Continuity } from '../types.js';
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
} from './helpers.js';

const HISTORY_ROUTE = '/api/v2/chat/channels/*/messages';

let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let clients: ChatClient[];
/** Subscriptions `load` made, ended after each test. */
const teardowns: (() => void)[] = [];

beforeEach(async () => {
  emu = await startEmulator();
  alice = addUser(emu, 'alice');
  bob = addUser(emu, 'bob');
  carol = addUser(emu, 'carol');
  clients = [];
});

afterEach(async () => {
  for (const stop of teardowns.splice(0)) stop();
  for (const client of clients) client.dispose();
  await emu.close();
});

/**
 * A fetch that can hold one answer back: `hold(path, hook)` makes the next request to `path` reach the
 * server and be answered, then waits for `hook` before the client sees the answer. This puts live messages
 * exactly between the server acting on a request and the client acting on its answer.
 */
function holdingFetch() {
  const hooks = new Map<string, () => Promise<void>>();
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const hook = hooks.get(new URL(url).pathname);
    if (hook) {
      hooks.delete(new URL(url).pathname);
      await hook();
    }
    return response;
  };
  return { fetch, hold: (path: string, hook: () => Promise<void>) => hooks.set(path, hook) };
}

async function connect(options: Partial<ChatClientOptions> = {}): Promise<ConnectedClient> {
  const connected = await connectClient(emu, alice, { backoff: { initialMs: 50, jitter: 0 }, ...options });
  clients.push(connected.client);
  return connected;
}

function post(channelId: number, sender: TestUser, count: number, prefix: string): void {
  for (let i = 1; i <= count; i += 1)
    emu.postMessage(channelId, { sender_id: sender.id, content: `${prefix} ${i}` });
}

/** Messages that reached the client over the socket, by content prefix. */
const arrived = (events: ChatEvent[], prefix: string) =>
  events.filter((e) => e.type === 'message' && e.message.content.startsWith(prefix)).length;

/**
 * Observes a channel's messages (which loads its newest page) until the client holds what the server has.
 * Returns the continuities the channel goes through from then on.
 */
async function load(client: ChatClient, channelId: number): Promise<Continuity[]> {
  const readable = client.messages(channelId);
  const seen: Continuity[] = [];
  teardowns.push(
    readable.subscribe(() => {
      const { continuity } = readable.getSnapshot();
      if (seen[seen.length - 1] !== continuity) seen.push(continuity);
    }),
  );
  await vi.waitFor(() => {
    expect(readable.getSnapshot().hasMore === false || clientMessages(client, channelId).length > 0).toBe(
      true,
    );
    expect(clientMessages(client, channelId)).toEqual(serverMessages(emu, channelId));
  });
  return seen;
}

const continuity = (client: ChatClient, channelId: number) =>
  client.messages(channelId).getSnapshot().continuity;

describe('reconnect', () => {
  it('heals 200 messages missed across 3 channels and merges live ones sent during the recovery', async () => {
    const osu = addPublicChannel(emu, 'osu', [alice, bob]);
    const lobby = addPublicChannel(emu, 'lobby', [alice, carol]);
    const pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    const channels = [osu, lobby, pm];
    const senders: [number, TestUser][] = [
      [osu, carol],
      [lobby, carol],
      [pm, bob],
    ];
    post(osu, bob, 5, 'osu before');
    post(pm, bob, 3, 'pm before');
    // #lobby is empty when loaded: an empty loaded channel is healed too.

    const http = holdingFetch();
    const { client, events } = await connect({ fetch: http.fetch });
    await vi.waitFor(() => expect(client.channels.getSnapshot().map((c) => c.id)).toHaveLength(3));
    const trails = new Map<number, Continuity[]>();
    for (const id of channels) trails.set(id, await load(client, id));

    // After the reconnect, live messages arrive before the channel list answers (so before any backfill
    // starts: they must not hide the hole behind them)…
    http.hold('/api/v2/chat/updates', async () => {
      for (const [id, sender] of senders) post(id, sender, 2, 'early live');
      await vi.waitFor(() => expect(arrived(events, 'early live')).toBe(6));
    });
    // …and more while the (slowed) backfill runs.
    emu.setFaults([{ method: 'GET', path: HISTORY_ROUTE, delay_ms: 100 }]);

    expect(emu.dropSockets({ user_id: alice.id }).dropped).toBe(1);
    for (let i = 0; i < 200; i += 1) {
      const [id, sender] = senders[i % 3] as [number, TestUser];
      emu.postMessage(id, { sender_id: sender.id, content: `missed ${i}` });
    }
    await vi.waitFor(() => expect(channels.some((id) => continuity(client, id) === 'recovering')).toBe(true));
    for (const [id, sender] of senders) post(id, sender, 3, 'late live');

    await vi.waitFor(
      () => {
        for (const id of channels) {
          expect(continuity(client, id)).toBe('live');
          expect(clientMessages(client, id)).toEqual(serverMessages(emu, id));
        }
      },
      { timeout: 8000, interval: 20 },
    );
    expect(client.connection.getSnapshot().status).toBe('live');
    expect(arrived(events, 'missed')).toBe(0);
    expect(arrived(events, 'late live')).toBe(9);
    for (const id of channels) {
      expect(serverMessages(emu, id).length).toBeGreaterThanOrEqual(66 + 5);
      expect(trails.get(id)).toEqual(['live', 'recovering', 'live']);
    }
  });

  it('says gap, not live, when the backfill gives up after maxBackfillPages', async () => {
    const osu = addPublicChannel(emu, 'osu', [alice, bob]);
    post(osu, bob, 5, 'before');
    const { client, events } = await connect({ maxBackfillPages: 2 });
    await vi.waitFor(() => expect(client.channel(osu).getSnapshot()?.loaded).toBe(true));
    const trail = await load(client, osu);

    emu.dropSockets({ user_id: alice.id });
    post(osu, bob, 300, 'missed');
    await vi.waitFor(() =>
      expect(events.some((e) => e.type === 'connection' && e.state.status === 'reconnecting')).toBe(true),
    );
    await vi.waitFor(() => expect(continuity(client, osu)).toBe('gap'), { timeout: 5000, interval: 10 });

    expect(trail).toEqual(['live', 'recovering', 'gap']);
    expect(client.connection.getSnapshot().status).toBe('live');
    // Two pages of 50 after the last loaded message, nothing invented beyond them.
    expect(clientMessages(client, osu)).toEqual(serverMessages(emu, osu).slice(0, 5 + 100));
  });
});

describe('keepalive', () => {
  it('backfills the public messages the server withheld after acks lapsed past 60 s', async () => {
    const clock = new ManualClock();
    const osu = addPublicChannel(emu, 'osu', [alice, bob]);
    const pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    post(osu, bob, 4, 'before');
    post(pm, bob, 1, 'pm before');
    const http = holdingFetch();
    // random 0.5: an ack every 25 s.
    const { client, events } = await connect({ clock, random: () => 0.5, fetch: http.fetch });
    await vi.waitFor(() => expect(client.channel(osu).getSnapshot()?.loaded).toBe(true));
    const trail = await load(client, osu);
    await vi.waitFor(() =>
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'http', path: '/chat/updates', status: 200 }),
      ),
    );
    const acks = (status: number) =>
      events.filter((e) => e.type === 'http' && e.path === '/chat/ack' && e.status === status).length;
    const goodAcks = acks(200);

    // Acks stop reaching the server; 61 s later (its time) it stops delivering #osu to alice.
    emu.setFaults([{ method: 'POST', path: '/api/v2/chat/ack', status: 500 }]);
    await clock.advance(50_000);
    await vi.waitFor(() => expect(acks(500)).toBe(2));
    emu.clock.advance(61_000);
    post(osu, bob, 6, 'withheld');
    // A PM still arrives (PMs need no ack); the socket is ordered, so #osu's messages would have come first.
    emu.postMessage(pm, { sender_id: bob.id, content: 'sentinel' });
    await vi.waitFor(() => expect(arrived(events, 'sentinel')).toBe(1));
    expect(arrived(events, 'withheld')).toBe(0);

    // The next ack goes through, 75 s after the last good one. Delivery resumes at once: a live message
    // lands before the client reads the ack's answer, then the client sees the ack was late and heals.
    emu.clearFaults();
    http.hold('/api/v2/chat/ack', async () => {
      post(osu, bob, 1, 'resumed');
      await vi.waitFor(() => expect(arrived(events, 'resumed')).toBe(1));
    });
    await clock.advance(25_000);
    await vi.waitFor(() => expect(acks(200)).toBe(goodAcks + 1));
    await vi.waitFor(() => {
      expect(continuity(client, osu)).toBe('live');
      expect(clientMessages(client, osu)).toEqual(serverMessages(emu, osu));
    });
    expect(clientMessages(client, osu).filter(([, text]) => text.startsWith('withheld'))).toHaveLength(6);
    expect(trail).toEqual(['live', 'recovering', 'live']);
    expect(client.connection.getSnapshot().status).toBe('live');
  });
});
