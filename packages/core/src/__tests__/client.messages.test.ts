// Messages through the client, against the emulator: one list per channel, ascending by id and free of
// duplicates whether a message came from history, the socket or the user's own send; history pages of 50
// read with `until`; the per-channel cap. Client and emulator share a ManualClock, so no engine timer fires
// unless a test says so.
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatClient, ChatClientOptions } from '../index.js';
import {
  type ConnectedClient,
  connectClient,
  type ManualClock,
  type RecordedRequest,
  serverMessages,
  type TestUser,
  twoUserScene,
} from './helpers.js';

const DAY_MS = 24 * 3_600_000;

let clock: ManualClock;
let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let channelId: number;
let clients: ChatClient[];

beforeEach(async () => {
  ({ clock, emu, alice, bob, channelId } = await twoUserScene());
  clients = [];
});

afterEach(async () => {
  for (const client of clients) client.dispose();
  await emu.close();
});

async function connect(options: Partial<ChatClientOptions> = {}): Promise<ConnectedClient> {
  const connected = await connectClient(emu, alice, { clock, ...options });
  clients.push(connected.client);
  return connected;
}

/** Bob posts `count` messages (through the control API: no throttle), optionally with a timestamp. */
function post(count: number, prefix: string, timestamp?: number): void {
  for (let i = 1; i <= count; i += 1) {
    emu.postMessage(channelId, {
      sender_id: bob.id,
      content: `${prefix} ${i}`,
      ...(timestamp === undefined ? {} : { timestamp: new Date(timestamp).toISOString() }),
    });
  }
}

/** Subscribes to the channel's messages (which loads the newest page) and waits for `count` of them. */
async function observe(client: ChatClient, count: number) {
  const list = client.messages(channelId);
  list.subscribe(() => {});
  await vi.waitFor(() => expect(list.getSnapshot().messages).toHaveLength(count), {
    timeout: 5000,
    interval: 5,
  });
  return list;
}

function ids(client: ChatClient): (number | null)[] {
  return client
    .messages(channelId)
    .getSnapshot()
    .messages.map((m) => m.id);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The history requests of the channel, as their query parameters. */
function historyQueries(requests: RecordedRequest[]): Record<string, string>[] {
  return requests
    .filter((r) => r.method === 'GET' && r.path === `/api/v2/chat/channels/${channelId}/messages`)
    .map((r) => Object.fromEntries(new URL(r.url).searchParams));
}

describe('one ordered list per channel', () => {
  it('merges history, socket messages and an own send made while the page loads, by id and without duplicates', async () => {
    post(3, 'before');
    const { client, requests } = await connect();
    // The page is computed only after this delay, so it also holds what is posted meanwhile: the same ids
    // arrive twice, once over the socket and once in history (and the own send a third time, as its response).
    emu.setFaults([
      { method: 'GET', path: `/api/v2/chat/channels/${channelId}/messages`, delay_ms: 1000, times: 1 },
    ]);
    const list = client.messages(channelId);
    list.subscribe(() => {});
    await vi.waitFor(() => expect(historyQueries(requests)).toHaveLength(1), { timeout: 5000, interval: 5 });

    post(2, 'during');
    const mine = await client.send(channelId, 'mine, while loading');
    await vi.waitFor(() => expect(list.getSnapshot().messages).toHaveLength(3), {
      timeout: 5000,
      interval: 5,
    });
    expect(list.getSnapshot().messages.map((m) => m.content)).toEqual([
      'during 1',
      'during 2',
      'mine, while loading',
    ]);

    await vi.waitFor(() => expect(list.getSnapshot().messages).toHaveLength(6), {
      timeout: 5000,
      interval: 5,
    });
    const messages = list.getSnapshot().messages;
    expect(messages.map((m) => m.id)).toEqual(serverMessages(emu, channelId).map(([id]) => id));
    expect(messages.map((m) => m.content)).toEqual([
      'before 1',
      'before 2',
      'before 3',
      'during 1',
      'during 2',
      'mine, while loading',
    ]);
    expect(messages.every((m) => m.status === 'sent')).toBe(true);
    const own = messages[5];
    expect(own?.key).toBe(mine.key);
    expect(own?.localId).toBe(mine.localId);
    expect(new Set(messages.map((m) => m.key)).size).toBe(6);
  });
});

describe('history pages', () => {
  it('loads 50 at a time with `until`, and reports no more only after an empty page', async () => {
    post(120, 'old');
    const { client, requests } = await connect();
    const list = await observe(client, 50);
    expect(historyQueries(requests)).toEqual([{ limit: '50', return_object: '1' }]);
    expect(ids(client)).toEqual(range(71, 120));

    await client.loadOlder(channelId);
    expect(ids(client)).toEqual(range(21, 120));
    await client.loadOlder(channelId);
    // A short page (20) is not the end: osu! filters after the limit.
    expect(ids(client)).toEqual(range(1, 120));
    expect(list.getSnapshot().hasMore).toBe(true);
    await client.loadOlder(channelId);
    expect(list.getSnapshot().hasMore).toBe(false);
    expect(ids(client)).toEqual(range(1, 120));
    expect(list.getSnapshot().loadingOlder).toBe(false);

    await client.loadOlder(channelId);
    expect(historyQueries(requests).map((q) => q.until)).toEqual([undefined, '71', '21', '1']);
    expect(historyQueries(requests).every((q) => q.limit === '50' && q.since === undefined)).toBe(true);
  });

  it('keeps hasMore after a page the 24 h backlog filter made short but not empty', async () => {
    post(30, 'yesterday', clock.now() - DAY_MS - 60_000);
    post(70, 'today');
    const { client, requests } = await connect();
    const list = await observe(client, 50);
    expect(ids(client)).toEqual(range(51, 100));

    // Rows 1–50 come back filtered to 31–50.
    await client.loadOlder(channelId);
    expect(ids(client)).toEqual(range(31, 100));
    expect(list.getSnapshot().hasMore).toBe(true);

    // Rows 1–30 are all past the backlog: an empty page, the visible beginning.
    await client.loadOlder(channelId);
    expect(list.getSnapshot().hasMore).toBe(false);
    expect(historyQueries(requests).map((q) => q.until)).toEqual([undefined, '51', '31']);
  });
});

describe('the per-channel cap', () => {
  it('evicts the oldest sent messages but never pending or failed ones, and evicted ones load again', async () => {
    post(60, 'history');
    const { client, requests } = await connect({ messageCap: 60 });
    const list = client.messages(channelId);
    const stop = list.subscribe(() => {});
    await vi.waitFor(() => expect(list.getSnapshot().messages).toHaveLength(50), {
      timeout: 5000,
      interval: 5,
    });
    // Nobody observes the list now, so older pages are not kept past the cap (the next test keeps them).
    stop();
    await client.loadOlder(channelId);
    expect(ids(client)).toEqual(range(1, 60));
    expect(list.getSnapshot().keepsOlder).toBe(false);

    // A failed send (the server's limit is lower than the client knows) and one still pending (it waits
    // for the 1 s send spacing on the manual clock, which does not move).
    emu.updateConfig({ message_length_limit: 5 });
    await expect(client.send(channelId, 'far too long')).rejects.toMatchObject({ kind: 'http', status: 422 });
    emu.updateConfig({ message_length_limit: 450 });
    void client.send(channelId, 'waiting');
    expect(
      list
        .getSnapshot()
        .messages.slice(-2)
        .map((m) => [m.content, m.status]),
    ).toEqual([
      ['far too long', 'failed'],
      ['waiting', 'pending'],
    ]);

    post(10, 'live');
    await vi.waitFor(() => expect(ids(client)).toContain(70), { timeout: 5000, interval: 5 });
    const after = list.getSnapshot();
    expect(after.messages.filter((m) => m.status === 'sent').map((m) => m.id)).toEqual(range(11, 70));
    expect(after.messages.slice(-2).map((m) => [m.content, m.status])).toEqual([
      ['far too long', 'failed'],
      ['waiting', 'pending'],
    ]);
    expect(after.hasMore).toBe(true);

    await client.loadOlder(channelId);
    expect(historyQueries(requests).at(-1)?.until).toBe('11');
    const reloaded = list.getSnapshot().messages;
    expect(reloaded.filter((m) => m.status === 'sent').map((m) => m.id)).toEqual(range(1, 70));
    expect(reloaded.slice(-2).map((m) => m.status)).toEqual(['failed', 'pending']);
  });

  it('keeps the older pages a reader loaded while the list is observed, and evicts them once nobody reads', async () => {
    post(60, 'history');
    const { client } = await connect({ messageCap: 60 });
    const list = client.messages(channelId);
    const stopFirst = list.subscribe(() => {});
    const stopSecond = list.subscribe(() => {});
    await vi.waitFor(() => expect(list.getSnapshot().messages).toHaveLength(50), {
      timeout: 5000,
      interval: 5,
    });
    await client.loadOlder(channelId);
    expect(ids(client)).toEqual(range(1, 60));
    expect(list.getSnapshot().keepsOlder).toBe(true);

    // Live messages past the cap grow the list: what the reader scrolled back to stays.
    post(10, 'live');
    await vi.waitFor(() => expect(ids(client)).toContain(70), { timeout: 5000, interval: 5 });
    expect(ids(client)).toEqual(range(1, 70));

    // One observer of two leaves: still kept.
    stopFirst();
    expect(list.getSnapshot().keepsOlder).toBe(true);
    post(1, 'still read');
    await vi.waitFor(() => expect(ids(client)).toContain(71), { timeout: 5000, interval: 5 });
    expect(ids(client)).toEqual(range(1, 71));

    // The last observer leaves: the cap applies again at the next live message.
    stopSecond();
    expect(list.getSnapshot().keepsOlder).toBe(false);
    expect(ids(client)).toEqual(range(1, 71));
    post(1, 'after');
    await vi.waitFor(() => expect(ids(client)).toContain(72), { timeout: 5000, interval: 5 });
    expect(ids(client)).toEqual(range(13, 72));
    expect(list.getSnapshot().hasMore).toBe(true);
  });
});
