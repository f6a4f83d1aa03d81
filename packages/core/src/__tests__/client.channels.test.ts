// The channel list against the emulator, in both modes: lazer (`*` token: the list is `GET /chat/updates`)
// and third-party (the list is built from joins, events, PM creation and `GET /chat/channels/{id}`), plus
// unknown channels, the 60 s stray-message window after leaving, hidden PMs coming back, identity, joins.
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ChatClient, ChatError, type ChatEvent } from '../index.js';
import {
  addPublicChannel,
  addUser,
  connectClient,
  holdingFetch,
  holdingWebSocket,
  LAZER_ONLY_ROUTES,
  ManualClock,
  type RecordedRequest,
  startEmulator,
  type TestUser,
  waitForStatus,
} from './helpers.js';

let emu: Emulator;
let clients: ChatClient[];

beforeEach(async () => {
  emu = await startEmulator();
  clients = [];
});

afterEach(async () => {
  for (const client of clients) client.dispose();
  await emu.close();
});

/**
 * Connects and waits for the first ack's answer: `chat.start` went out on the socket before that ack, so the
 * server has read it and delivers chat events (osu! silently drops them before `chat.start`).
 */
async function connect(user: TestUser, options: Parameters<typeof connectClient>[2] = {}) {
  const connected = await connectClient(emu, user, options);
  clients.push(connected.client);
  const answered = (path: string) =>
    connected.events.some((e) => e.type === 'http' && e.path.startsWith(path) && e.status === 200);
  await vi.waitFor(() => expect(answered('/chat/ack')).toBe(true));
  // A lazer client's first sync (`chat/updates`) lists channels too: wait for it, so that a test's own
  // traffic does not race it.
  if (connected.client.connection.getSnapshot().mode === 'lazer') {
    await vi.waitFor(() => expect(answered('/chat/updates')).toBe(true));
  }
  return connected;
}

/** A PM between two users, made as osu! does (both get `chat.channel.join`). */
function addPm(a: TestUser, b: TestUser): number {
  return emu.createChannel({ type: 'PM', members: [a.id, b.id] }).channel.channel_id;
}

function listed(client: ChatClient): number[] {
  return client.channels.getSnapshot().map((c) => c.id);
}

function contents(client: ChatClient, channelId: number): string[] {
  return client
    .messages(channelId)
    .getSnapshot()
    .messages.map((m) => m.content);
}

function socketMessages(events: ChatEvent[]): { channelId: number; content: string }[] {
  return events.flatMap((e) =>
    e.type === 'message' ? [{ channelId: e.message.channelId, content: e.message.content }] : [],
  );
}

function calls(requests: RecordedRequest[], method: string, path: string): number {
  return requests.filter((r) => r.method === method && r.path === `/api/v2${path}`).length;
}

function lazerOnlyCalls(requests: RecordedRequest[]): string[] {
  return requests.filter((r) => LAZER_ONLY_ROUTES.includes(r.path)).map((r) => `${r.method} ${r.path}`);
}

describe('lazer mode (* token)', () => {
  it('lists the channels of chat/updates presence; hidden PMs are not listed', async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const carol = addUser(emu, 'carol');
    const osu = addPublicChannel(emu, '#osu', [alice]);
    const withBob = addPm(alice, bob);
    const withCarol = addPm(alice, carol);
    emu.setMember(withCarol, alice.id, { hidden: true });

    const { client, requests } = await connect(alice);
    expect(client.connection.getSnapshot().mode).toBe('lazer');
    await vi.waitFor(() => expect(listed(client).sort()).toEqual([osu, withBob].sort()));
    expect(calls(requests, 'GET', '/chat/updates')).toBe(1);
    expect(client.channel(withBob).getSnapshot()).toMatchObject({
      type: 'PM',
      name: 'bob',
      userIds: [alice.id, bob.id],
    });
    expect(client.channel(withCarol).getSnapshot()).toBeUndefined();
  });

  it("silences in an ack answer remove the silenced user's messages from PUBLIC channels only", async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const carol = addUser(emu, 'carol');
    const osu = addPublicChannel(emu, '#osu', [alice, bob, carol]);
    const withBob = addPm(alice, bob);
    const { client } = await connect(alice);
    emu.postMessage(osu, { sender_id: bob.id, content: 'bob in public' });
    emu.postMessage(osu, { sender_id: carol.id, content: 'carol in public' });
    emu.postMessage(withBob, { sender_id: bob.id, content: 'bob in private' });
    await vi.waitFor(() => expect(contents(client, withBob)).toEqual(['bob in private']));
    expect(contents(client, osu)).toEqual(['bob in public', 'carol in public']);

    // osu! only reports silences newer than the message `since` names (whole seconds).
    emu.clock.advance(1000);
    emu.updateUser(bob.id, { silenced: true });
    client.session.send({ type: 'keepalive.now' });
    await vi.waitFor(() => expect(contents(client, osu)).toEqual(['carol in public']));
    expect(contents(client, withBob)).toEqual(['bob in private']);
  });

  it("silences in chat/updates (after a reconnect) remove the silenced user's messages", async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const osu = addPublicChannel(emu, '#osu', [alice, bob]);
    const { client, requests } = await connect(alice, { backoff: { initialMs: 20, jitter: 0 } });
    emu.postMessage(osu, { sender_id: bob.id, content: 'soon silenced' });
    emu.postMessage(osu, { sender_id: alice.id, content: 'mine' });
    await vi.waitFor(() => expect(contents(client, osu)).toEqual(['soon silenced', 'mine']));

    emu.clock.advance(1000);
    emu.updateUser(bob.id, { silenced: true });
    // Every ack fails from here on, so the silence can only come from chat/updates.
    emu.setFaults([{ method: 'POST', path: '/api/v2/chat/ack', status: 500 }]);
    const updatesBefore = calls(requests, 'GET', '/chat/updates');
    emu.dropSockets({ user_id: alice.id });
    await vi.waitFor(() => expect(calls(requests, 'GET', '/chat/updates')).toBe(updatesBefore + 1));
    await waitForStatus(client, 'live');
    await vi.waitFor(() => expect(contents(client, osu)).toEqual(['mine']));
  });
});

describe('third-party mode (scoped token)', () => {
  it('builds the list from join answers, join/part events, PM creation and channel fetches, never calling a * route', async () => {
    const alice = addUser(emu, 'alice', 'thirdParty');
    const bob = addUser(emu, 'bob');
    const carol = addUser(emu, 'carol');
    const osu = addPublicChannel(emu, '#osu', []);
    const withCarol = addPm(alice, carol);
    emu.setMember(withCarol, alice.id, { hidden: true });
    const { client, events, requests } = await connect(alice, { backoff: { initialMs: 20, jitter: 0 } });
    expect(client.connection.getSnapshot().mode).toBe('thirdParty');
    expect(listed(client)).toEqual([]);

    await client.join(osu); // the join answer
    expect(listed(client)).toEqual([osu]);
    const lobby = addPublicChannel(emu, '#lobby', [alice]); // a join event
    const withBob = addPm(alice, bob); // a join event for a PM someone else started
    await vi.waitFor(() => expect(listed(client).sort()).toEqual([osu, lobby, withBob].sort()));
    expect(client.channel(withBob).getSnapshot()).toMatchObject({ type: 'PM', name: 'bob' });
    await client.openPrivateChat(carol.id); // PM (re)creation
    expect(listed(client)).toContain(withCarol);
    emu.removeMember(lobby, alice.id); // a part event
    await vi.waitFor(() => expect(listed(client)).not.toContain(lobby));
    await client.leave(osu);
    await client.send(withBob, 'hello bob');
    expect(listed(client).sort()).toEqual([withBob, withCarol].sort());

    // Offline, alice is taken out of a channel: the reconnect's per-channel fetch (404) drops it.
    const side = addPublicChannel(emu, '#side', [alice]);
    await vi.waitFor(() => expect(listed(client)).toContain(side));
    emu.dropSockets({ user_id: alice.id });
    emu.removeMember(side, alice.id);
    await vi.waitFor(() => expect(listed(client)).not.toContain(side));
    await waitForStatus(client, 'live');
    expect(calls(requests, 'GET', `/chat/channels/${side}`)).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'channel.left' && e.channelId === side)).toBe(false);
    expect(listed(client).sort()).toEqual([withBob, withCarol].sort());
    expect(lazerOnlyCalls(requests)).toEqual([]);
  });
});

describe.each(['lazer', 'thirdParty'] as const)('%s mode', (mode) => {
  it('a message for a channel the client does not list fetches that channel and keeps the message', async () => {
    const alice = addUser(emu, 'alice', mode);
    const bob = addUser(emu, 'bob');
    const withBob = addPm(alice, bob);
    emu.setMember(withBob, alice.id, { hidden: true });
    const { client, events, requests } = await connect(alice);
    expect(listed(client)).not.toContain(withBob);

    emu.postMessage(withBob, { sender_id: bob.id, content: 'are you there?' });
    await vi.waitFor(() => expect(listed(client)).toContain(withBob));
    expect(client.channel(withBob).getSnapshot()).toMatchObject({ type: 'PM', name: 'bob', loaded: true });
    expect(contents(client, withBob)).toEqual(['are you there?']);
    expect(client.user(bob.id).getSnapshot()?.username).toBe('bob');
    expect(calls(requests, 'GET', `/chat/channels/${withBob}`)).toBe(1);
    expect(events.some((e) => e.type === 'channel.joined')).toBe(false);
    if (mode === 'thirdParty') expect(lazerOnlyCalls(requests)).toEqual([]);
  });

  it('a PM or announcement that was left comes back when a new message arrives in it', async () => {
    const alice = addUser(emu, 'alice', mode);
    const bob = addUser(emu, 'bob');
    const withBob = addPm(alice, bob);
    const news = emu.createChannel({ name: 'news', type: 'ANNOUNCE', members: [alice.id, bob.id] }).channel
      .channel_id;
    const { client, events } = await connect(alice);
    if (mode === 'thirdParty') {
      // Nothing lists them for a third-party token until something names them: observing does.
      client.channel(withBob).subscribe(() => {});
      client.channel(news).subscribe(() => {});
    }
    await vi.waitFor(() => expect(listed(client).sort()).toEqual([withBob, news].sort()));
    await client.leave(withBob);
    await client.leave(news);
    expect(listed(client)).toEqual([]);

    const joinsBefore = events.filter((e) => e.type === 'channel.joined').length;
    emu.postMessage(withBob, { sender_id: bob.id, content: 'back?' });
    emu.postMessage(news, { sender_id: bob.id, content: 'news!' });
    await vi.waitFor(() => expect(listed(client).sort()).toEqual([withBob, news].sort()));
    expect(contents(client, withBob)).toEqual(['back?']);
    expect(contents(client, news)).toEqual(['news!']);
    // osu! unhides them without a join event.
    expect(events.filter((e) => e.type === 'channel.joined').length).toBe(joinsBefore);
  });
});

describe('leaving a PUBLIC channel', () => {
  it("ignores the stray messages osu! keeps delivering for 60 s of the client's clock", async () => {
    const clock = new ManualClock();
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const osu = addPublicChannel(emu, '#osu', [alice, bob]);
    const withBob = addPm(alice, bob); // its messages mark the end of each burst
    const { client, events, requests } = await connect(alice, { clock });
    await vi.waitFor(() => expect(listed(client)).toContain(osu));
    await client.leave(osu);
    expect(listed(client)).not.toContain(osu);

    const burst = async (content: string) => {
      emu.postMessage(osu, { sender_id: bob.id, content });
      emu.postMessage(withBob, { sender_id: bob.id, content: `after ${content}` });
      await vi.waitFor(() => expect(contents(client, withBob)).toContain(`after ${content}`));
    };
    await burst('stray');
    await clock.advance(59_999);
    await burst('late stray');
    // The socket delivered both (osu!'s ack entry outlives the membership) and the client dropped them.
    expect(
      socketMessages(events)
        .filter((m) => m.channelId === osu)
        .map((m) => m.content),
    ).toEqual(['stray', 'late stray']);
    expect(client.channel(osu).getSnapshot()).toBeUndefined();
    expect(client.messages(osu).getSnapshot().messages).toEqual([]);
    expect(calls(requests, 'GET', `/chat/channels/${osu}`)).toBe(0);

    // Past the window a message is an unknown channel's: fetched, and osu! answers 404 (not a member).
    await clock.advance(1);
    await burst('after the window');
    await vi.waitFor(() => expect(calls(requests, 'GET', `/chat/channels/${osu}`)).toBe(1));
    await vi.waitFor(() => expect(client.channel(osu).getSnapshot()).toBeUndefined());
    expect(listed(client)).not.toContain(osu);

    // Once the server's ack entry expires, osu! stops delivering.
    emu.clock.advance(61_000);
    await burst('expired');
    expect(socketMessages(events).some((m) => m.content === 'expired')).toBe(false);
  });
});

describe('channel objects', () => {
  it('are immutable and keep their identity while unchanged', async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const a = addPublicChannel(emu, '#a', [alice, bob]);
    const b = addPublicChannel(emu, '#b', [alice, bob]);
    const withBob = addPm(alice, bob);
    const { client, events } = await connect(alice);
    await vi.waitFor(() => expect(listed(client)).toHaveLength(3));
    const aBefore = client.channel(a).getSnapshot();
    const bBefore = client.channel(b).getSnapshot();
    const pmBefore = client.channel(withBob).getSnapshot();

    const { message } = emu.postMessage(a, { sender_id: bob.id, content: 'in a' });
    await vi.waitFor(() => expect(client.channel(a).getSnapshot()?.lastMessageId).toBe(message.message_id));
    expect(aBefore?.lastMessageId).toBeNull(); // the old object did not change
    expect(client.channel(b).getSnapshot()).toBe(bBefore);
    expect(client.channel(withBob).getSnapshot()).toBe(pmBefore);
    const list = client.channels.getSnapshot();
    expect(list.find((c) => c.id === b)).toBe(bBefore);

    // osu! re-sends the same channel in a join event (a hidden membership shown again): nothing changes.
    emu.setMember(withBob, alice.id, { hidden: true });
    emu.setMember(withBob, alice.id);
    await vi.waitFor(() =>
      expect(events.some((e) => e.type === 'channel.joined' && e.channel.id === withBob)).toBe(true),
    );
    expect(client.channel(withBob).getSnapshot()).toBe(pmBefore);
    expect(client.channels.getSnapshot()).toBe(list);
  });

  it('observing a channel fills in missing details from GET /chat/channels/{id}, PM users included', async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const osu = addPublicChannel(emu, '#osu', [alice]);
    const withBob = addPm(alice, bob);
    const { client, requests } = await connect(alice);
    await vi.waitFor(() => expect(listed(client)).toHaveLength(2));
    expect(client.user(bob.id).getSnapshot()).toBeUndefined();

    client.channel(osu).subscribe(() => {}); // complete already: nothing to fetch
    client.channel(withBob).subscribe(() => {});
    await vi.waitFor(() => expect(client.user(bob.id).getSnapshot()?.username).toBe('bob'));
    expect(calls(requests, 'GET', `/chat/channels/${withBob}`)).toBe(1);
    expect(calls(requests, 'GET', `/chat/channels/${osu}`)).toBe(0);
  });
});

describe('join, leave and the directory', () => {
  it('join resolves once the channel is listed and acks; leave removes it; publicChannels lists PUBLIC channels', async () => {
    const alice = addUser(emu, 'alice', 'thirdParty');
    const bob = addUser(emu, 'bob');
    const carol = addUser(emu, 'carol');
    const osu = addPublicChannel(emu, '#osu', []);
    const lobby = addPublicChannel(emu, '#lobby', [bob]);
    addPm(bob, carol);
    const { client, events, requests } = await connect(alice);

    const directory = await client.publicChannels();
    expect(directory.map((c) => c.id).sort()).toEqual([osu, lobby].sort());
    expect(directory.every((c) => c.type === 'PUBLIC')).toBe(true);

    const joined = await client.join(lobby);
    expect(joined).toMatchObject({ id: lobby, name: '#lobby', type: 'PUBLIC', loaded: true });
    expect(listed(client)).toEqual([lobby]);
    const put = requests.findIndex(
      (r) => r.method === 'PUT' && r.path.includes(`/chat/channels/${lobby}/users/`),
    );
    await vi.waitFor(() => expect(requests.slice(put).some((r) => r.path === '/api/v2/chat/ack')).toBe(true));
    emu.postMessage(lobby, { sender_id: bob.id, content: 'welcome' });
    await vi.waitFor(() => expect(socketMessages(events).map((m) => m.content)).toContain('welcome'));

    await client.leave(lobby);
    expect(listed(client)).toEqual([]);
    expect(emu.state().memberships.some((m) => m.channel_id === lobby && m.user_id === alice.id)).toBe(false);
    expect(lazerOnlyCalls(requests)).toEqual([]);
  });

  it('join resolves from the join event while the HTTP answer is held back', async () => {
    const alice = addUser(emu, 'alice', 'thirdParty');
    const osu = addPublicChannel(emu, '#osu', []);
    const gate = holdingFetch(
      (method, path) => method === 'PUT' && path.startsWith(`/api/v2/chat/channels/${osu}/`),
    );
    const { client } = await connect(alice, { fetch: gate.fetch });
    let joined: unknown;
    void client.join(osu).then((channel) => {
      joined = channel;
    });
    await vi.waitFor(() => expect(joined).toMatchObject({ id: osu, loaded: true }));
    expect(gate.held).toBe(1);
    expect(listed(client)).toEqual([osu]);
    gate.release();
  });

  it('join resolves from the HTTP answer while the join event is held back', async () => {
    const alice = addUser(emu, 'alice', 'thirdParty');
    const osu = addPublicChannel(emu, '#osu', []);
    const gate = holdingWebSocket((raw) => raw.includes('"chat.channel.join"'));
    const { client, events } = await connect(alice, { WebSocket: gate.WebSocket });
    const joined = await client.join(osu);
    expect(gate.held).toBe(1);
    expect(listed(client)).toEqual([osu]);
    gate.release();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'channel.joined')).toBe(true));
    expect(client.channel(osu).getSnapshot()).toBe(joined);
  });

  it("joining a PM fails with ChatError http 403 and osu!'s message; the list is unchanged", async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const carol = addUser(emu, 'carol');
    addPublicChannel(emu, '#osu', [alice]);
    const pm = addPm(bob, carol);
    const { client } = await connect(alice);
    await vi.waitFor(() => expect(listed(client)).toHaveLength(1));
    const before = client.channels.getSnapshot();

    const error = await client.join(pm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({
      kind: 'http',
      status: 403,
      serverMessage: 'You do not have access to that channel.',
    });
    expect(client.channels.getSnapshot()).toBe(before);
  });
});
