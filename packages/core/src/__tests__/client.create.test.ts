// Creating channels against the emulator: opening a PM (an existing hidden one, or a draft whose first message
// creates it through POST /chat/new) and creating announcements, whichever of the HTTP answer and the
// `chat.channel.join` event reaches the client first.
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Channel, type ChannelMessages, type ChatClient, ChatError } from '../index.js';
import {
  addUser,
  connectClient,
  holdingFetch,
  holdingWebSocket,
  startEmulator,
  type TestUser,
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

/** Connects and waits for the first ack's answer, by which time the server has read `chat.start`. */
async function connect(user: TestUser, options: Parameters<typeof connectClient>[2] = {}) {
  const connected = await connectClient(emu, user, options);
  clients.push(connected.client);
  await vi.waitFor(() =>
    expect(
      connected.events.some((e) => e.type === 'http' && e.path === '/chat/ack' && e.status === 200),
    ).toBe(true),
  );
  return connected;
}

function addAnnouncer(username: string): TestUser {
  const { user, token } = emu.createUser({ username, scopes: ['*'], announcer: true });
  return { id: user.id, username: user.username, token };
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

/** Every value a Readable takes from now on. */
function record<T>(readable: { getSnapshot(): T; subscribe(listener: () => void): () => void }): T[] {
  const values = [readable.getSnapshot()];
  readable.subscribe(() => values.push(readable.getSnapshot()));
  return values;
}

describe('openPrivateChat', () => {
  it('rejoins an existing hidden PM through POST /chat/channels (type PM)', async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const pm = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] }).channel.channel_id;
    emu.postMessage(pm, { sender_id: bob.id, content: 'earlier' });
    emu.setMember(pm, alice.id, { hidden: true });
    const { client, requests } = await connect(alice);
    expect(listed(client)).not.toContain(pm);

    const channel = await client.openPrivateChat(bob.id);
    expect(channel).toMatchObject({ id: pm, type: 'PM', name: 'bob', draft: false });
    expect(listed(client)).toContain(pm);
    expect(contents(client, pm)).toEqual(['earlier']);
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toContain('/api/v2/chat/channels');
    expect(requests.some((r) => r.path === '/api/v2/chat/new')).toBe(false);
    expect(emu.state().memberships.find((m) => m.channel_id === pm && m.user_id === alice.id)?.hidden).toBe(
      false,
    );
  });

  it.each([
    ['the join event and the echo', 'event'],
    ['the /chat/new answer', 'answer'],
  ] as const)(
    'gives a draft whose first message creates the PM without a visible jump (%s first)',
    async (_, first) => {
      const alice = addUser(emu, 'alice');
      const bob = addUser(emu, 'bob');
      const other = await connect(bob);
      const answer = holdingFetch(
        (method, path) => first === 'event' && method === 'POST' && path === '/api/v2/chat/new',
      );
      const socket = holdingWebSocket((raw) => first === 'answer' && raw.includes('"chat.channel.join"'));
      const { client, events } = await connect(alice, { fetch: answer.fetch, WebSocket: socket.WebSocket });

      const draft = await client.openPrivateChat(bob.id);
      expect(draft).toMatchObject({ type: 'PM', draft: true, userIds: [alice.id, bob.id] });
      expect(draft.id).toBeLessThan(0);
      expect(listed(client)).toEqual([draft.id]);
      expect(emu.state().channels).toEqual([]); // osu! answered `channel_id: null`: nothing exists yet

      const channelValues = record(client.channel(draft.id));
      const messageValues = record(client.messages(draft.id));
      const listValues = record(client.channels);
      const sending = client.send(draft.id, 'hi bob');
      const pending = client.messages(draft.id).getSnapshot().messages[0];
      expect(pending).toMatchObject({ status: 'pending', content: 'hi bob', channelId: draft.id });
      const sent = await sending;
      expect(sent.key).toBe(pending?.key);
      expect(events.some((e) => e.type === 'http' && e.method === 'POST' && e.path === '/chat/new')).toBe(
        first === 'answer',
      );
      if (first === 'event') await vi.waitFor(() => expect(answer.held).toBe(1));
      else expect(socket.held).toBeGreaterThan(0);
      answer.release();
      socket.release();

      const real = client.channel(draft.id).getSnapshot() as Channel;
      expect(real).toMatchObject({ type: 'PM', name: 'bob', draft: false });
      expect(real.id).toBeGreaterThan(0);
      expect(client.messages(draft.id).getSnapshot()).toBe(client.messages(real.id).getSnapshot());
      // Let everything land (the other side of the race, the echo), then look at every value ever shown.
      await vi.waitFor(() => expect(events.some((e) => e.type === 'message')).toBe(true));
      await vi.waitFor(() =>
        expect(events.some((e) => e.type === 'http' && e.path === '/chat/new')).toBe(true),
      );
      await vi.waitFor(() => expect(client.channel(real.id).getSnapshot()?.lastMessageId).toBe(sent.id));
      expect(listed(client)).toEqual([real.id]);
      expect(channelValues.every((c) => c !== undefined && c.type === 'PM')).toBe(true);
      const shown = (value: ChannelMessages) => value.messages.map((m) => `${m.key} ${m.content}`).join();
      expect(messageValues.slice(1).map(shown)).toEqual(
        messageValues.slice(1).map(() => `${pending?.key} hi bob`),
      );
      expect(client.messages(real.id).getSnapshot().messages).toMatchObject([
        { key: pending?.key, status: 'sent' },
      ]);
      // The list goes from the draft straight to the real PM: never both, never neither.
      expect(listValues.map((list) => list.length)).toEqual(listValues.map(() => 1));
      // Bob gets the PM as a channel of his own, with the message.
      await vi.waitFor(() => expect(contents(other.client, real.id)).toEqual(['hi bob']));
      expect(other.client.channel(real.id).getSnapshot()).toMatchObject({ type: 'PM', name: 'alice' });
    },
  );

  it('to a user who blocks you fails with ChatError http 403', async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    emu.setBlock(bob.id, alice.id, true);
    const { client } = await connect(alice);
    const before = client.channels.getSnapshot();

    const error = await client.openPrivateChat(bob.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({
      kind: 'http',
      status: 403,
      serverMessage: 'Cannot message a user that is blocking you or that you have blocked.',
    });
    expect(client.channels.getSnapshot()).toBe(before);
  });
});

describe('createAnnouncement', () => {
  const input = (userIds: number[]) => ({
    name: 'Finals',
    description: 'Tournament finals tonight',
    userIds,
    message: 'Finals start at 20:00',
  });

  it('completes from the HTTP answer when the join event comes later, with the message there', async () => {
    const carol = addAnnouncer('carol');
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const other = await connect(bob);
    const gate = holdingWebSocket((raw) => raw.includes('"chat.channel.join"'));
    const { client, events } = await connect(carol, { WebSocket: gate.WebSocket });

    const channel = await client.createAnnouncement(input([alice.id, bob.id]));
    expect(gate.held).toBeGreaterThan(0); // the join event has not reached the client
    expect(channel).toMatchObject({
      type: 'ANNOUNCE',
      name: 'Finals',
      description: 'Tournament finals tonight',
    });
    expect(listed(client)).toEqual([channel.id]);
    expect(contents(client, channel.id)).toEqual(['Finals start at 20:00']);

    gate.release();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'channel.joined')).toBe(true));
    await vi.waitFor(() => expect(events.some((e) => e.type === 'message')).toBe(true));
    expect(listed(client)).toEqual([channel.id]);
    expect(contents(client, channel.id)).toEqual(['Finals start at 20:00']);
    await vi.waitFor(() => expect(contents(other.client, channel.id)).toEqual(['Finals start at 20:00']));
    expect(listed(other.client)).toEqual([channel.id]);
  });

  it('completes from the join event while the HTTP answer is held back, with the message there', async () => {
    const carol = addAnnouncer('carol');
    const alice = addUser(emu, 'alice');
    const gate = holdingFetch((method, path) => method === 'POST' && path === '/api/v2/chat/channels');
    const { client } = await connect(carol, { fetch: gate.fetch });

    let created: Channel | undefined;
    void client.createAnnouncement(input([alice.id])).then((channel) => {
      created = channel;
    });
    await vi.waitFor(() => expect(created).toMatchObject({ type: 'ANNOUNCE', name: 'Finals' }));
    expect(gate.held).toBe(1); // the HTTP answer has not reached the client
    const id = (created as Channel).id;
    expect(listed(client)).toEqual([id]);
    await vi.waitFor(() => expect(contents(client, id)).toEqual(['Finals start at 20:00']));

    gate.release();
    await vi.waitFor(() => expect(gate.held).toBe(0));
    expect(listed(client)).toEqual([id]);
    expect(contents(client, id)).toEqual(['Finals start at 20:00']);
  });

  it('by a user who may not announce fails with ChatError http 403', async () => {
    const alice = addUser(emu, 'alice');
    const bob = addUser(emu, 'bob');
    const { client } = await connect(alice);
    const before = client.channels.getSnapshot();

    const error = await client.createAnnouncement(input([bob.id])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({
      kind: 'http',
      status: 403,
      serverMessage: 'You do not have permission to post announcement.',
    });
    expect(client.channels.getSnapshot()).toBe(before);
    expect(emu.state().channels).toEqual([]);
  });
});
