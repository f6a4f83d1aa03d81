// The outbox against the real emulator: order, pacing, retries, unknown-fate resolution, echoes, drafts.
// Most tests run the outbox on AutoClock (fake time that jumps to each timer) so 1 s spacing and backoff
// cost nothing; the two that need real time say so.
import { createEmulator, type Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatError } from '../errors.js';
import {
  findOwnMessageViaHistory,
  Outbox,
  type OutboxOptions,
  type OwnMessageQuery,
} from '../state/outbox.js';
import { ChatStore } from '../state/store.js';
import { ChatHttp } from '../transport/http.js';
import { decodeChannel, decodeMessage, decodeUser } from '../transport/wire.js';
import type { Channel, Clock, Message } from '../types.js';

/** Fake time that runs ahead: each timer fires on the next event-loop turn and `now()` jumps to its due time. */
class AutoClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private scheduled = false;

  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.time + Math.max(0, ms), callback });
    this.schedule();
    return this.seq;
  };
  clearTimeout = (handle: unknown) => {
    this.timers.delete(handle as number);
  };

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const timer of this.timers) if (!next || timer[1].at < next[1].at) next = timer;
      if (!next) return;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
      if (this.timers.size > 0) this.schedule();
    });
  }
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Call {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  start: number;
  end?: number;
  status?: number;
}

let emu: Emulator;
let alice: { id: number; token: string };
let bob: { id: number };
let pub: Channel;
let seedId: number;
let store: ChatStore;
let clock: Clock;
let calls: Call[];
/** Replaces or observes a response before ChatHttp sees it. */
let onResponse: ((call: Call, response: Response) => Promise<Response> | Response) | undefined;
let outbox: Outbox | undefined;
let inFlight = 0;
let mostInFlight = 0;

function httpFor(timeoutMs = 5000): ChatHttp {
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call: Call = {
      method: init?.method ?? 'GET',
      path: url.pathname.slice(7),
      body,
      start: clock.now(),
    };
    calls.push(call);
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    let response: Response;
    try {
      response = await globalThis.fetch(input, init);
    } finally {
      inFlight -= 1;
    }
    call.end = clock.now();
    if (onResponse) response = await onResponse(call, response);
    call.status = response.status;
    return response;
  };
  const getToken = async () => alice.token;
  return new ChatHttp({ apiUrl: emu.apiUrl, fetch, getToken, refreshToken: getToken, timeoutMs });
}

/** `GET /chat/channels/{id}`, decoded and (unless `edit` says otherwise) put in the store as is. */
async function loadChannel(id: number, edit: (channel: Channel) => Channel = (c) => c): Promise<Channel> {
  const json = await httpFor().request<{ channel: unknown }>('GET', `/chat/channels/${id}`);
  const channel = edit(decodeChannel(json.channel));
  store.dispatch({ type: 'channel.upserted', channel });
  calls.length = 0;
  return channel;
}

function makeOutbox(options: Partial<OutboxOptions> & { timeoutMs?: number } = {}): Outbox {
  const http = httpFor(options.timeoutMs);
  const lookups = httpFor();
  outbox = new Outbox({
    store,
    http,
    clock,
    random: () => 0,
    findOwnMessage: (channelId, query) => findOwnMessageViaHistory(lookups, channelId, query),
    ...options,
  });
  return outbox;
}

const posts = () => calls.filter((c) => c.method === 'POST');
const ownOnServer = (channelId = pub.id) =>
  emu.state().messages.filter((m) => m.sender_id === alice.id && m.channel_id === channelId);
const listed = (channelId = pub.id) => store.messages(channelId).getSnapshot().messages;
const pendingKey = (channelId = pub.id) => listed(channelId).at(-1)?.key as string;

beforeEach(async () => {
  emu = await createEmulator({ limits: { chat_public_limit: 100, chat_private_limit: 100 } });
  const a = emu.createUser({ username: 'alice' });
  alice = { id: a.user.id, token: a.token };
  bob = emu.createUser({ username: 'bob' }).user;
  const { channel } = emu.createChannel({ name: '#osu', type: 'PUBLIC', members: [alice.id, bob.id] });
  seedId = emu.postMessage(channel.channel_id, { sender_id: bob.id, content: 'welcome' }).message
    .message_id as number;
  calls = [];
  onResponse = undefined;
  mostInFlight = 0;
  clock = new AutoClock();
  store = new ChatStore({ messageCap: 500, leftIgnoreMs: 60_000 });
  store.dispatch({ type: 'me', user: decodeUser(a.user) });
  pub = await loadChannel(channel.channel_id);
});

afterEach(async () => {
  outbox?.dispose();
  outbox = undefined;
  await emu.close();
});

describe('Outbox sending', () => {
  it('shows a send at once as pending, then sent under the same key; actions set is_action', async () => {
    const box = makeOutbox();
    const sent = box.send(pub.id, '  hi\r\nthere  ');
    const [pending] = listed();
    expect(pending).toMatchObject({ status: 'pending', content: 'hi  there', id: null, senderId: alice.id });
    expect(pending?.key).toBe(pending?.localId);
    const message = await sent;
    expect(message).toMatchObject({ status: 'sent', key: pending?.key, localId: pending?.localId });
    expect(listed()).toEqual([message]);
    expect(posts()[0]?.body).toEqual({ message: 'hi  there', is_action: false, uuid: pending?.localId });

    const action = await box.send(pub.id, 'waves', { action: true });
    expect(action).toMatchObject({ isAction: true, type: 'action' });
    expect(ownOnServer().map((m) => [m.content, m.is_action])).toEqual([
      ['hi  there', false],
      ['waves', true],
    ]);
  });

  it('queues a burst of 10 in order, one request at a time, each 1000 ms after the previous answer', async () => {
    const box = makeOutbox();
    const texts = Array.from({ length: 10 }, (_, i) => `message ${i}`);
    const results = await Promise.all(texts.map((text) => box.send(pub.id, text)));
    expect(ownOnServer().map((m) => m.content)).toEqual(texts);
    expect(listed().filter((m) => m.senderId === alice.id)).toEqual(results);
    const requests = posts();
    expect(requests).toHaveLength(10);
    expect(mostInFlight).toBe(1);
    for (let i = 1; i < requests.length; i += 1) {
      expect((requests[i]?.start as number) - (requests[i - 1]?.end as number)).toBeGreaterThanOrEqual(1000);
    }
  });

  it("keeps to osu!'s real one-per-second throttle: a burst lands without a single 429 (real time)", async () => {
    emu.updateConfig({ chat_public_limit: 1, chat_public_window: 1 });
    clock = realClock;
    const box = makeOutbox();
    await Promise.all(['one', 'two', 'three'].map((text) => box.send(pub.id, text)));
    expect(posts().map((c) => c.status)).toEqual([200, 200, 200]);
    expect(ownOnServer().map((m) => m.content)).toEqual(['one', 'two', 'three']);
  });

  it('paces PM and public buckets independently', async () => {
    const { channel } = emu.createChannel({ type: 'PM', members: [alice.id, bob.id] });
    const pm = await loadChannel(channel.channel_id);
    const box = makeOutbox();
    await Promise.all([
      box.send(pub.id, 'p1'),
      box.send(pub.id, 'p2'),
      box.send(pm.id, 'q1'),
      box.send(pm.id, 'q2'),
    ]);
    const start = (text: string) => posts().find((c) => c.body?.message === text)?.start as number;
    expect(start('q1')).toBe(0);
    expect(start('p2')).toBeGreaterThanOrEqual(1000);
    expect(start('q2')).toBeGreaterThanOrEqual(1000);
    expect(mostInFlight).toBe(2);
  });
});

describe('Outbox retries', () => {
  it('retries a 429 after 1 s, then 2 s, and delivers it once', async () => {
    emu.setFaults([
      {
        method: 'POST',
        path: '/api/v2/chat/channels/*/messages',
        status: 429,
        body: { error: 'slow' },
        times: 2,
      },
    ]);
    await makeOutbox().send(pub.id, 'patience');
    const [first, second, third] = posts();
    expect(posts().map((c) => c.status)).toEqual([429, 429, 200]);
    expect((second?.start as number) - (first?.end as number)).toBe(1000);
    expect((third?.start as number) - (second?.end as number)).toBe(2000);
    expect(ownOnServer()).toHaveLength(1);
  });

  it("honours a 429's Retry-After", async () => {
    // The emulator refuses the first send (so nothing is stored); the test adds the header faults cannot set.
    onResponse = (call, response) =>
      posts().length === 1 && call.method === 'POST'
        ? new Response('{"error":"slow"}', { status: 429, headers: { 'Retry-After': '5' } })
        : response;
    emu.setFaults([{ method: 'POST', path: '/api/v2/chat/channels/*/messages', status: 429, times: 1 }]);
    await makeOutbox().send(pub.id, 'later');
    const [first, second] = posts();
    expect((second?.start as number) - (first?.end as number)).toBe(5000);
    expect(ownOnServer()).toHaveLength(1);
  });

  it('ends failed after maxAttempts 429s, reports it, and retry() sends it once the limit lifts', async () => {
    emu.setFaults([{ method: 'POST', path: '/api/v2/chat/channels/*/messages', status: 429 }]);
    const onError = vi.fn();
    const box = makeOutbox({ maxAttempts: 3, onError });
    const error = await box.send(pub.id, 'stubborn').catch((e: ChatError) => e);
    expect(error).toMatchObject({ kind: 'rateLimit', status: 429 });
    expect(onError).toHaveBeenCalledWith(error);
    expect(posts()).toHaveLength(3);
    const [failed] = listed().slice(-1);
    expect(failed).toMatchObject({ status: 'failed', error });
    emu.clearFaults();
    await expect(box.retry(failed?.localId as string)).resolves.toMatchObject({
      status: 'sent',
      key: failed?.key,
    });
    expect(ownOnServer()).toHaveLength(1);
  });

  it('does not retry a 422 (too long for the server); retry() after the limit is fixed sends it', async () => {
    emu.updateConfig({ message_length_limit: 5 });
    const box = makeOutbox();
    await expect(box.send(pub.id, 'too long here')).rejects.toMatchObject({ kind: 'http', status: 422 });
    expect(posts()).toHaveLength(1);
    emu.updateConfig({ message_length_limit: 450 });
    await box.retry(pendingKey());
    expect(ownOnServer().map((m) => m.content)).toEqual(['too long here']);
  });

  it('does not retry a 403 (moderated); an unawaited failing send raises no unhandled rejection', async () => {
    const { channel } = emu.createChannel({
      name: '#mod',
      type: 'PUBLIC',
      moderated: true,
      members: [alice.id],
    });
    // As if `can_message` were not known yet, so the client lets the send through to the server.
    const moderated = await loadChannel(channel.channel_id, (c) => ({
      ...c,
      canMessage: null,
      canMessageError: null,
    }));
    const box = makeOutbox();
    box.send(moderated.id, 'hello?');
    await vi.waitFor(() => expect(listed(moderated.id)[0]?.status).toBe('failed'));
    expect(listed(moderated.id)[0]?.error).toMatchObject({ kind: 'http', status: 403 });
    expect(posts()).toHaveLength(1);
  });

  it('rejects invalid input before queueing anything: blank, too long in code points, cannot message', async () => {
    const box = makeOutbox();
    const before = store.snapshot;
    await expect(box.send(pub.id, ' \r\n\t ')).rejects.toMatchObject({ kind: 'invalid' });
    await expect(box.send(pub.id, '😀'.repeat(451))).rejects.toMatchObject({ kind: 'invalid' });
    store.dispatch({
      type: 'channel.upserted',
      channel: { ...pub, canMessage: false, canMessageError: 'This channel is currently moderated.' },
    });
    const during = store.snapshot;
    await expect(box.send(pub.id, 'hi')).rejects.toMatchObject({
      kind: 'invalid',
      message: 'This channel is currently moderated.',
    });
    expect(store.snapshot).toBe(during);
    expect(before.messages).toBe(during.messages);
    store.dispatch({ type: 'channel.upserted', channel: { ...pub, canMessage: true } });
    await expect(box.send(pub.id, '😀'.repeat(450))).resolves.toMatchObject({ status: 'sent' });
    expect(posts()).toHaveLength(1);
  });
});

describe('Outbox unknown fate', () => {
  const slowPost = { method: 'POST', path: '/api/v2/chat/channels/*/messages', delay_ms: 500, times: 1 };

  it('finds a timed-out send that reached the server in history and does not send it again', async () => {
    emu.setFaults([slowPost]);
    const lookups = httpFor();
    const findOwnMessage = vi.fn(async (channelId: number, query: OwnMessageQuery) => {
      // The emulator handles the request after its delay; look only once it has, so the race is fixed.
      await vi.waitFor(() => expect(ownOnServer()).toHaveLength(1));
      return findOwnMessageViaHistory(lookups, channelId, query);
    });
    const box = makeOutbox({ timeoutMs: 150, findOwnMessage });
    const message = await box.send(pub.id, 'did it land?');
    expect(posts()).toHaveLength(1);
    expect(findOwnMessage).toHaveBeenCalledWith(pub.id, expect.objectContaining({ afterId: seedId }));
    expect(ownOnServer()).toHaveLength(1);
    expect(message.id).toBe(ownOnServer()[0]?.message_id);
    expect(listed().filter((m) => m.senderId === alice.id)).toEqual([message]);
  });

  it('sends again after a 500 once history shows nothing landed: exactly one copy', async () => {
    emu.setFaults([{ method: 'POST', path: '/api/v2/chat/channels/*/messages', status: 500, times: 1 }]);
    await makeOutbox().send(pub.id, 'second time lucky');
    expect(posts().map((c) => c.status)).toEqual([500, 200]);
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(1);
    expect(ownOnServer()).toHaveLength(1);
  });

  it('never re-sends blindly: when the look-up keeps failing the send ends failed after one request', async () => {
    emu.setFaults([{ method: 'POST', path: '/api/v2/chat/channels/*/messages', status: 500, times: 1 }]);
    const findOwnMessage = vi.fn(async () => {
      throw new ChatError('network', 'offline');
    });
    const box = makeOutbox({ maxAttempts: 3, findOwnMessage });
    await expect(box.send(pub.id, 'unsure')).rejects.toMatchObject({ kind: 'http', status: 500 });
    expect(findOwnMessage).toHaveBeenCalledTimes(2);
    expect(posts()).toHaveLength(1);
  });

  it('a manual retry of a send whose fate stayed unknown looks it up first and does not send it again', async () => {
    emu.setFaults([slowPost]);
    const lookups = httpFor();
    let failing = 2;
    const findOwnMessage = vi.fn(async (channelId: number, query: OwnMessageQuery) => {
      if (failing > 0) {
        failing -= 1;
        throw new ChatError('network', 'offline');
      }
      await vi.waitFor(() => expect(ownOnServer()).toHaveLength(1));
      return findOwnMessageViaHistory(lookups, channelId, query);
    });
    const box = makeOutbox({ timeoutMs: 150, maxAttempts: 3, findOwnMessage });
    await expect(box.send(pub.id, 'landed after all')).rejects.toMatchObject({ kind: 'network' });
    const message = await box.retry(pendingKey());
    expect(findOwnMessage).toHaveBeenCalledTimes(3);
    expect(posts()).toHaveLength(1);
    expect(message.id).toBe(ownOnServer()[0]?.message_id);
  });

  it.each(['onEcho', 'store'] as const)(
    'settles a timed-out send by its echo via %s, without a look-up (real time)',
    async (via) => {
      emu.setFaults([slowPost]);
      clock = realClock;
      const findOwnMessage = vi.fn(async () => null);
      const box = makeOutbox({ timeoutMs: 150, echoWaitMs: 10_000, findOwnMessage });
      const sent = box.send(pub.id, 'echo me');
      const localId = pendingKey();
      await vi.waitFor(() => expect(ownOnServer()).toHaveLength(1));
      const echo = decodeMessage({ ...ownOnServer()[0], uuid: localId });
      if (via === 'onEcho') box.onEcho(echo);
      else store.dispatch({ type: 'messages.received', messages: [echo], users: [], at: Date.now() });
      await expect(sent).resolves.toMatchObject({ id: echo.id, key: localId });
      expect(findOwnMessage).not.toHaveBeenCalled();
      expect(posts()).toHaveLength(1);
    },
  );
});

describe('Outbox echoes, discard, dispose, drafts', () => {
  it('merges an echo that arrives before the HTTP answer and one after: one message, stable key', async () => {
    let echo: Message | undefined;
    let beforeAnswer: readonly Message[] = [];
    onResponse = async (call, response) => {
      if (call.method !== 'POST') return response;
      echo = decodeMessage(await response.clone().json());
      outbox?.onEcho(echo);
      beforeAnswer = listed();
      return response;
    };
    const message = await makeOutbox().send(pub.id, 'race');
    expect(beforeAnswer).toEqual([message]);
    outbox?.onEcho(echo as Message);
    store.dispatch({ type: 'messages.received', messages: [echo as Message], users: [], at: Date.now() });
    expect(listed().filter((m) => m.senderId === alice.id)).toEqual([message]);
    expect(message.key).toBe(echo?.localId);
  });

  it('discards a failed message; retry of a discarded one is refused', async () => {
    emu.updateConfig({ message_length_limit: 1 });
    const box = makeOutbox();
    await box.send(pub.id, 'nope').catch(() => undefined);
    const localId = pendingKey();
    box.discard(localId);
    expect(listed().some((m) => m.localId === localId)).toBe(false);
    await expect(box.retry(localId)).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('dispose rejects pending sends with closed and leaves them failed in the store', async () => {
    const box = makeOutbox();
    const sends = ['a', 'b', 'c'].map((text) => box.send(pub.id, text));
    box.dispose();
    for (const send of sends) await expect(send).rejects.toMatchObject({ kind: 'closed' });
    expect(
      listed()
        .slice(-3)
        .map((m) => [m.status, m.error?.kind]),
    ).toEqual([
      ['failed', 'closed'],
      ['failed', 'closed'],
      ['failed', 'closed'],
    ]);
    await expect(box.send(pub.id, 'd')).rejects.toMatchObject({ kind: 'closed' });
  });

  it("sends a draft PM's first message via /chat/new, promotes the draft, and sends later ones to the PM", async () => {
    const draft: Channel = {
      ...pub,
      id: -1,
      name: 'bob',
      type: 'PM',
      userIds: [alice.id, bob.id],
      lastMessageId: null,
      lastReadId: null,
      draft: true,
    };
    store.dispatch({ type: 'draft.created', channel: draft });
    const box = makeOutbox();
    const [first, second] = await Promise.all([box.send(-1, 'hi bob'), box.send(-1, 'are you there?')]);
    const pmId = store.resolve(-1);
    expect(pmId).toBeGreaterThan(0);
    expect(posts().map((c) => c.path)).toEqual(['/chat/new', `/chat/channels/${pmId}/messages`]);
    expect(posts()[0]?.body).toMatchObject({ target_id: bob.id, message: 'hi bob', is_action: false });
    expect(store.snapshot.channels.has(-1)).toBe(false);
    expect(store.channel(pmId).getSnapshot()).toMatchObject({ type: 'PM', draft: false });
    expect(listed(pmId)).toEqual([first, second]);
    expect(ownOnServer(pmId).map((m) => m.content)).toEqual(['hi bob', 'are you there?']);
  });
});

describe('findOwnMessageViaHistory', () => {
  it('pages past 50 messages to the own copy after afterId; others and older copies do not count', async () => {
    const post = (sender: number, content: string) =>
      emu.postMessage(pub.id, { sender_id: sender, content }).message.message_id as number;
    const older = post(alice.id, 'same');
    for (let i = 0; i < 60; i += 1) post(bob.id, i === 30 ? 'same' : `noise ${i}`);
    const mine = post(alice.id, 'same');
    const http = httpFor();
    const query = { content: 'same', isAction: false, senderId: alice.id };
    await expect(findOwnMessageViaHistory(http, pub.id, { ...query, afterId: older })).resolves.toMatchObject(
      {
        id: mine,
      },
    );
    expect(calls.filter((c) => c.path.endsWith('/messages'))).toHaveLength(2);
    await expect(findOwnMessageViaHistory(http, pub.id, { ...query, afterId: mine })).resolves.toBeNull();
    await expect(findOwnMessageViaHistory(http, pub.id, { ...query, afterId: null })).resolves.toMatchObject({
      id: mine,
    });
    await expect(
      findOwnMessageViaHistory(http, pub.id, { ...query, isAction: true, afterId: older }),
    ).resolves.toBeNull();
  });
});
