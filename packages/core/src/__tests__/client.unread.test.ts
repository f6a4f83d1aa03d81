// Unread state through the client, against the emulator: the server's markers, exact counts only when the
// loaded messages reach back to the read marker, mentions of the user's name, and `markAsRead` (moves the
// local marker at once, tells the server at most once a second per channel, never moves backwards).
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatClient } from '../index.js';
import {
  addPublicChannel,
  addUser,
  type ConnectedClient,
  connectClient,
  ManualClock,
  type RecordedRequest,
  settle,
  startEmulator,
  type TestUser,
} from './helpers.js';

let clock: ManualClock;
let emu: Emulator;
let bob: TestUser;
let clients: ChatClient[];

beforeEach(async () => {
  clock = new ManualClock();
  emu = await startEmulator({ clock });
  bob = addUser(emu, 'bob');
  clients = [];
});

afterEach(async () => {
  for (const client of clients) client.dispose();
  await emu.close();
});

async function connect(user: TestUser): Promise<ConnectedClient> {
  const connected = await connectClient(emu, user, { clock });
  clients.push(connected.client);
  return connected;
}

/** Bob posts `count` messages; returns their ids. */
function post(channelId: number, count: number, content = (i: number) => `message ${i}`): number[] {
  return Array.from({ length: count }, (_, i) => {
    const { message } = emu.postMessage(channelId, { sender_id: bob.id, content: content(i + 1) });
    return message.message_id as number;
  });
}

/** Calls the API as `user` (what another device of theirs would do). */
async function api<T>(user: TestUser, method: string, path: string): Promise<T> {
  const response = await fetch(`${emu.apiUrl}/api/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${user.token}`, Accept: 'application/json' },
  });
  expect(response.ok).toBe(true);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

async function serverLastReadId(user: TestUser, channelId: number): Promise<number | null> {
  const json = await api<{ channel: { current_user_attributes: { last_read_id: number | null } } }>(
    user,
    'GET',
    `/chat/channels/${channelId}`,
  );
  return json.channel.current_user_attributes.last_read_id;
}

function markRequests(requests: RecordedRequest[], channelId: number): string[] {
  const prefix = `/api/v2/chat/channels/${channelId}/mark-as-read/`;
  return requests
    .filter((r) => r.method === 'PUT' && r.path.startsWith(prefix))
    .map((r) => r.path.slice(prefix.length));
}

async function load(client: ChatClient, channelId: number, count: number): Promise<void> {
  const list = client.messages(channelId);
  list.subscribe(() => {});
  await vi.waitFor(() => expect(list.getSnapshot().messages).toHaveLength(count), {
    timeout: 5000,
    interval: 5,
  });
}

describe('unread counts', () => {
  it('gives the markers, an exact count once loaded back to the marker, and only a boolean before that', async () => {
    const alice = addUser(emu, 'alice');
    const channelId = addPublicChannel(emu, '#osu', [alice, bob]);
    const ids = post(channelId, 70);
    const marker = ids[2] as number;
    await api(alice, 'PUT', `/chat/channels/${channelId}/mark-as-read/${marker}`);

    const { client } = await connect(alice);
    const unread = client.unread(channelId);
    await vi.waitFor(() => expect(unread.getSnapshot()).toBeDefined(), { timeout: 5000, interval: 5 });
    // Nothing loaded: the markers say there is something, not how much.
    expect(unread.getSnapshot()).toMatchObject({
      lastReadId: marker,
      lastMessageId: ids[69],
      count: null,
      hasUnread: true,
    });

    // The newest 50 stop short of the marker: still no count.
    await load(client, channelId, 50);
    expect(unread.getSnapshot()).toMatchObject({ count: null, hasUnread: true });

    await client.loadOlder(channelId);
    expect(unread.getSnapshot()).toMatchObject({
      lastReadId: marker,
      count: 67,
      hasUnread: true,
      mentions: 0,
    });

    // A live message counts; the user's own send moves the marker past everything.
    post(channelId, 1);
    await vi.waitFor(() => expect(unread.getSnapshot()?.count).toBe(68), { timeout: 5000, interval: 5 });
    const own = await client.send(channelId, 'caught up');
    expect(unread.getSnapshot()).toMatchObject({
      lastReadId: own.id,
      lastMessageId: own.id,
      count: 0,
      hasUnread: false,
    });
  });

  it('counts mentions of the user’s name, with spaces written as underscores too', async () => {
    const mio = addUser(emu, 'Mio Chan');
    const channelId = addPublicChannel(emu, '#osu', [mio, bob]);
    const texts = [
      'hi mio_chan',
      'Mio Chan: are you there?',
      'miochan is not it',
      'mio_chans neither',
      'hello all',
    ];
    post(channelId, texts.length, (i) => texts[i - 1] as string);

    const { client } = await connect(mio);
    await load(client, channelId, texts.length);
    const unread = client.unread(channelId);
    // Never read: the count is exact only once an empty page shows the channel's beginning is loaded.
    expect(unread.getSnapshot()).toMatchObject({
      lastReadId: null,
      count: null,
      hasUnread: true,
      mentions: 2,
    });
    await client.loadOlder(channelId);
    expect(unread.getSnapshot()).toMatchObject({ count: 5, mentions: 2 });

    post(channelId, 1, () => '@MIO_CHAN look');
    await vi.waitFor(() => expect(unread.getSnapshot()).toMatchObject({ count: 6, mentions: 3 }), {
      timeout: 5000,
      interval: 5,
    });

    client.markAsRead(channelId);
    expect(unread.getSnapshot()).toMatchObject({ count: 0, mentions: 0, hasUnread: false });
  });
});

describe('markAsRead', () => {
  it('moves the marker at once, sends one request a second per channel with the newest id, and never goes back', async () => {
    const alice = addUser(emu, 'alice');
    const channelId = addPublicChannel(emu, '#osu', [alice, bob]);
    const otherId = addPublicChannel(emu, '#lobby', [alice, bob]);
    const ids = post(channelId, 10);
    const [otherLast] = post(otherId, 1);
    const at = (i: number) => ids[i - 1] as number;
    const { client, requests } = await connect(alice);
    await load(client, channelId, 10);
    const unread = client.unread(channelId);

    client.markAsRead(channelId, at(3));
    expect(unread.getSnapshot()).toMatchObject({ lastReadId: at(3), count: 7 });
    await vi.waitFor(() => expect(markRequests(requests, channelId)).toEqual([`${at(3)}`]), {
      timeout: 5000,
      interval: 2,
    });

    // Within the same second: the local marker follows every call, the server waits.
    client.markAsRead(channelId, at(5));
    client.markAsRead(channelId, at(7));
    client.markAsRead(channelId, at(4));
    expect(unread.getSnapshot()).toMatchObject({ lastReadId: at(7), count: 3 });
    // The throttle is per channel: another channel's marker goes out at once.
    client.markAsRead(otherId);
    await vi.waitFor(() => expect(markRequests(requests, otherId)).toEqual([`${otherLast}`]), {
      timeout: 5000,
      interval: 2,
    });
    await clock.advance(999);
    expect(markRequests(requests, channelId)).toEqual([`${at(3)}`]);

    await clock.advance(1);
    await vi.waitFor(() => expect(markRequests(requests, channelId)).toEqual([`${at(3)}`, `${at(7)}`]), {
      timeout: 5000,
      interval: 2,
    });
    await vi.waitFor(async () => expect(await serverLastReadId(alice, channelId)).toBe(at(7)), {
      timeout: 5000,
      interval: 5,
    });

    // Backwards is ignored locally and never sent.
    await clock.advance(5000);
    client.markAsRead(channelId, at(2));
    await settle();
    expect(unread.getSnapshot()?.lastReadId).toBe(at(7));
    expect(markRequests(requests, channelId)).toHaveLength(2);

    // Another device read further: the client's older (but, for it, newer) id does not pull the server back.
    await api(alice, 'PUT', `/chat/channels/${channelId}/mark-as-read/${at(9)}`);
    client.markAsRead(channelId, at(8));
    await vi.waitFor(() => expect(markRequests(requests, channelId)).toHaveLength(3), {
      timeout: 5000,
      interval: 2,
    });
    await vi.waitFor(() => expect(client.unread(channelId).getSnapshot()?.lastReadId).toBe(at(8)), {
      timeout: 5000,
      interval: 5,
    });
    await settle();
    expect(await serverLastReadId(alice, channelId)).toBe(at(9));
  });
});
