// Sending through the client, against the emulator with osu!'s default throttle (one message a second per
// bucket). Client and emulator share a ManualClock, so the client's 1 s spacing and the server's throttle
// window move together and cost no real time.
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatClient, ChatClientOptions, ChatEvent, Message } from '../index.js';
import { isChatError } from '../index.js';
import {
  type ConnectedClient,
  clientMessages,
  connectClient,
  type ManualClock,
  serverMessages,
  type TestUser,
  twoUserScene,
} from './helpers.js';

const TOO_LONG = 'The message you are trying to send is too long.';

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

async function connect(user = alice, options: Partial<ChatClientOptions> = {}): Promise<ConnectedClient> {
  const connected = await connectClient(emu, user, { clock, ...options });
  clients.push(connected.client);
  // Observing the list loads it; sends need the channel in the store.
  connected.client.messages(channelId).subscribe(() => {});
  await vi.waitFor(() => expect(connected.client.channel(channelId).getSnapshot()?.loaded).toBe(true), {
    timeout: 5000,
    interval: 5,
  });
  return connected;
}

/** Finished `POST …/messages` calls, from the client's own `http` events. */
function postsDone(events: ChatEvent[]): number {
  return events.filter((e) => e.type === 'http' && e.method === 'POST' && e.path.endsWith('/messages'))
    .length;
}

function messagesOf(client: ChatClient): readonly Message[] {
  return client.messages(channelId).getSnapshot().messages;
}

describe('a burst of sends', () => {
  it('delivers 10 sends made in one second exactly once each, in order, paced under osu!’s throttle', async () => {
    const { client, events, requests } = await connect();
    const texts = Array.from({ length: 10 }, (_, i) => `burst ${i + 1}`);
    const sends = texts.map((text) => client.send(channelId, text));

    // All ten show at once, pending, in send order.
    expect(messagesOf(client).map((m) => [m.content, m.status])).toEqual(texts.map((t) => [t, 'pending']));
    const keys = messagesOf(client).map((m) => m.key);

    for (let done = 1; done < texts.length; done += 1) {
      await vi.waitFor(() => expect(postsDone(events)).toBe(done), { timeout: 5000, interval: 2 });
      await clock.advance(1000);
    }
    const sent = await Promise.all(sends);

    expect(serverMessages(emu, channelId).map(([, content]) => content)).toEqual(texts);
    await vi.waitFor(
      () => expect(clientMessages(client, channelId)).toEqual(serverMessages(emu, channelId)),
      {
        timeout: 5000,
        interval: 5,
      },
    );
    expect(messagesOf(client).map((m) => m.key)).toEqual(keys);
    expect(sent.map((m) => m.key)).toEqual(keys);
    // One request each: nothing was throttled (429) and retried.
    expect(requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))).toHaveLength(10);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('shows a send as pending at once, then as sent under the same key', async () => {
    const { client } = await connect();
    const promise = client.send(channelId, '  hello  ');
    const [pending] = messagesOf(client);
    expect(pending).toMatchObject({ status: 'pending', id: null, content: 'hello', senderId: alice.id });
    expect(pending?.key).toBe(pending?.localId);

    const sent = await promise;
    expect(sent).toMatchObject({
      status: 'sent',
      key: pending?.key,
      localId: pending?.localId,
      content: 'hello',
    });
    expect(messagesOf(client)).toEqual([
      expect.objectContaining({ key: pending?.key, id: sent.id, status: 'sent' }),
    ]);
    expect(serverMessages(emu, channelId)).toEqual([[sent.id, 'hello']]);
  });
});

describe('unknown fate', () => {
  it('keeps exactly one copy when the request times out after it reached the server', async () => {
    const { client, events, requests } = await connect(alice, { requestTimeoutMs: 200 });
    // The server handles the request after 600 ms; the client gave up at 200 ms, so it cannot know.
    emu.setFaults([
      { method: 'POST', path: `/api/v2/chat/channels/${channelId}/messages`, delay_ms: 600, times: 1 },
    ]);
    const promise = client.send(channelId, 'did it arrive?');
    await vi.waitFor(() => expect(serverMessages(emu, channelId)).toHaveLength(1), {
      timeout: 5000,
      interval: 5,
    });

    const sent = await promise;
    expect(sent.content).toBe('did it arrive?');
    // The request did time out (no status), and the send did not end failed because of it.
    expect(events.some((e) => e.type === 'http' && e.method === 'POST' && e.status === null)).toBe(true);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    // The echo (or history) settled it: no second POST, even after the retry delays would have passed.
    await clock.advance(10_000);
    expect(requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))).toHaveLength(1);
    expect(serverMessages(emu, channelId)).toEqual([[sent.id, 'did it arrive?']]);
    expect(messagesOf(client).map((m) => [m.id, m.status, m.key])).toEqual([[sent.id, 'sent', sent.key]]);
  });
});

describe('refused sends', () => {
  it('marks a 422 failed with a ChatError; retry after the cause is gone sends it', async () => {
    const { client, events } = await connect();
    emu.updateConfig({ message_length_limit: 5 });
    const error = await client.send(channelId, 'longer than five').catch((e: unknown) => e);
    expect(isChatError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'http', status: 422, serverMessage: TOO_LONG, retryable: false });
    const [failed] = messagesOf(client);
    expect(failed).toMatchObject({ status: 'failed', id: null, content: 'longer than five' });
    expect(failed?.error).toBe(error);
    expect(events.some((e) => e.type === 'error' && e.error === error)).toBe(true);
    expect(serverMessages(emu, channelId)).toEqual([]);

    emu.updateConfig({ message_length_limit: 450 });
    const retried = client.retry(failed?.localId as string);
    expect(messagesOf(client)[0]).toMatchObject({ status: 'pending', error: null, key: failed?.key });
    await clock.advance(1000);
    const sent = await retried;
    expect(sent).toMatchObject({ status: 'sent', key: failed?.key });
    expect(serverMessages(emu, channelId)).toEqual([[sent.id, 'longer than five']]);
    expect(messagesOf(client)).toHaveLength(1);
  });

  it('discards a failed send: it leaves the list and can no longer be retried', async () => {
    const { client } = await connect();
    emu.updateConfig({ message_length_limit: 5 });
    await expect(client.send(channelId, 'also too long')).rejects.toSatisfy(isChatError);
    const localId = messagesOf(client)[0]?.localId as string;

    client.discard(localId);
    expect(messagesOf(client)).toEqual([]);
    await expect(client.retry(localId)).rejects.toMatchObject({ kind: 'invalid' });
    expect(serverMessages(emu, channelId)).toEqual([]);
  });
});

describe('actions', () => {
  it('sends `/me` actions that both the sender and others see as actions', async () => {
    const { client } = await connect();
    const other = await connect(bob);
    const sent = await client.send(channelId, 'waves', { action: true });
    expect(sent).toMatchObject({ isAction: true, type: 'action', content: 'waves', status: 'sent' });
    expect(emu.state().messages).toEqual([expect.objectContaining({ content: 'waves', is_action: true })]);
    await vi.waitFor(() => expect(messagesOf(other.client)).toHaveLength(1), { timeout: 5000, interval: 5 });
    expect(messagesOf(other.client)[0]).toMatchObject({ id: sent.id, isAction: true, senderId: alice.id });
  });
});
