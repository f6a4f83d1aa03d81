// Errors through the client, against the emulator: one ChatError class for HTTP answers, rate limits,
// network failures and malformed socket frames; nothing raw escapes; tokens appear nowhere but in the socket
// URL of `socketAuth: 'query'`. Client and emulator share a ManualClock.
import { inspect } from 'node:util';
import type { Emulator } from '@osu-chat/emulator';
import { FetchError } from 'ofetch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type ChatClientOptions, type ChatError, isChatError } from '../index.js';
import {
  type ConnectedClient,
  connectClient,
  type ManualClock,
  settle,
  type TestUser,
  twoUserScene,
  waitForStatus,
} from './helpers.js';

/**
 * A real `ws` socket whose frames a test can add to: `inject(data)` calls the client's `message` listeners
 * as if the server had sent `data`. Remembers every URL it was opened with.
 */
class TapSocket {
  static opened: TapSocket[] = [];
  private readonly socket: WebSocket;
  private readonly listeners: ((event: { type: string; data?: unknown }) => void)[] = [];

  constructor(
    readonly url: string,
    options?: WebSocket.ClientOptions,
  ) {
    this.socket = new WebSocket(url, options);
    TapSocket.opened.push(this);
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  send(data: string): void {
    this.socket.send(data);
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }

  on(event: 'ping', listener: () => void): this {
    this.socket.on(event, listener);
    return this;
  }

  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: { type: string; data?: unknown }) => void,
  ): void {
    if (type === 'message') this.listeners.push(listener);
    this.socket.addEventListener(type, listener);
  }

  inject(data: unknown): void {
    for (const listener of this.listeners) listener({ type: 'message', data });
  }
}

let clock: ManualClock;
let emu: Emulator;
let alice: TestUser;
let bob: TestUser;
let channelId: number;
let connected: ConnectedClient[];

beforeEach(async () => {
  ({ clock, emu, alice, bob, channelId } = await twoUserScene());
  connected = [];
  TapSocket.opened = [];
});

afterEach(async () => {
  // Whatever a test provoked, only ChatErrors were ever reported.
  for (const { events } of connected) {
    for (const event of events) if (event.type === 'error') expectSafeError(event.error);
  }
  for (const { client } of connected) client.dispose();
  await emu.close();
});

async function connect(options: Partial<ChatClientOptions> = {}): Promise<ConnectedClient> {
  const result = await connectClient(emu, alice, { clock, WebSocket: TapSocket, ...options });
  connected.push(result);
  const list = result.client.messages(channelId);
  list.subscribe(() => {});
  await vi.waitFor(() => expect(result.client.channel(channelId).getSnapshot()?.loaded).toBe(true), {
    timeout: 5000,
    interval: 5,
  });
  return result;
}

/** A ChatError whose cause chain holds no raw transport error (ofetch's carries the request and its headers). */
function expectSafeError(error: unknown): asserts error is ChatError {
  expect(isChatError(error)).toBe(true);
  let cause: unknown = error;
  for (let depth = 0; cause !== undefined && depth < 10; depth += 1) {
    expect(cause).not.toBeInstanceOf(FetchError);
    expect(cause).not.toHaveProperty('options');
    expect(cause).not.toHaveProperty('request');
    cause = (cause as { cause?: unknown }).cause;
  }
}

/** What `promise` rejected with, checked to be a safe ChatError. */
async function rejection(promise: Promise<unknown>): Promise<ChatError> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expectSafeError(error);
  return error;
}

describe('HTTP errors', () => {
  it('turns 4xx and 5xx answers into kind `http` with the status and osu!’s error text', async () => {
    const { client } = await connect();
    emu.setFaults([{ method: 'GET', path: '/api/v2/chat/channels', status: 503, times: 1 }]);
    expect(await rejection(client.publicChannels())).toMatchObject({
      kind: 'http',
      status: 503,
      serverMessage: null,
      retryable: true,
    });

    expect(await rejection(client.join(9999))).toMatchObject({
      kind: 'http',
      status: 404,
      serverMessage: "Specified Chat\\Channel couldn't be found.",
      retryable: false,
    });

    const denied = 'You do not have access to that channel.';
    emu.setFaults([
      { method: 'GET', path: '/api/v2/chat/channels/*/messages', status: 403, body: { error: denied } },
    ]);
    expect(await rejection(client.loadOlder(channelId))).toMatchObject({
      kind: 'http',
      status: 403,
      serverMessage: denied,
      retryable: false,
    });
  });

  it('turns 429 into kind `rateLimit`, retryable, and a throttled send goes out later', async () => {
    const { client, events } = await connect();
    emu.setFaults([{ method: 'GET', path: '/api/v2/chat/channels', status: 429, times: 1 }]);
    expect(await rejection(client.publicChannels())).toMatchObject({
      kind: 'rateLimit',
      status: 429,
      retryable: true,
    });

    // Alice's other device used this second's allowance: osu!'s own throttle answers the client's send 429.
    const other = await fetch(`${emu.apiUrl}/api/v2/chat/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'from the phone' }),
    });
    expect(other.status).toBe(200);
    const send = client.send(channelId, 'from the client');
    await vi.waitFor(
      () =>
        expect(events.some((e) => e.type === 'http' && e.status === 429 && e.method === 'POST')).toBe(true),
      {
        timeout: 5000,
        interval: 2,
      },
    );
    await clock.advance(2000);
    expect(await send).toMatchObject({ status: 'sent', content: 'from the client' });
  });
});

describe('network errors', () => {
  it('reports an unreachable server as kind `network`, on rejections and on the connection', async () => {
    const { client } = await connect();
    await emu.close();
    expect(await rejection(client.publicChannels())).toMatchObject({ kind: 'network', retryable: true });
    await waitForStatus(client, 'reconnecting');
    const error = client.connection.getSnapshot().error;
    expectSafeError(error);
    expect(error.kind).toBe('network');
  });
});

describe('malformed socket frames', () => {
  it('reports each as a `protocol` error, changes nothing, and keeps the socket working', async () => {
    const { client, events } = await connect();
    const [socket] = TapSocket.opened;
    if (!socket) throw new Error('no socket was opened');
    // The (empty) newest page has loaded: from here only the injected frames could change the state.
    await vi.waitFor(() => expect(client.messages(channelId).getSnapshot().hasMore).toBe(false), {
      timeout: 5000,
      interval: 5,
    });
    await settle();
    const before = { state: client.store.snapshot, messages: client.messages(channelId).getSnapshot() };
    const message = {
      message_id: 1000,
      channel_id: channelId,
      sender_id: bob.id,
      content: 'fake',
      timestamp: '2025-01-01T12:00:00Z',
      is_action: false,
    };
    const newMessages = (messages: unknown[]) =>
      JSON.stringify({ event: 'chat.message.new', data: { messages, users: [] } });
    const malformed = [
      '{not json',
      '[1, 2, 3]',
      '"chat.message.new"',
      '{"data": {}}',
      JSON.stringify({ event: 'chat.message.new', data: { messages: 'none' } }),
      newMessages([{ ...message, message_id: '1000' }]),
      newMessages([{ ...message, channel_id: null }]),
      newMessages([{ ...message, content: 42 }]),
      newMessages([{ ...message, timestamp: 'yesterday' }]),
      newMessages([{ ...message, message_id: -5 }]),
      newMessages([{ ...message, message_id: 1.5 }]),
      newMessages([message, { ...message, message_id: 0 }]),
      // JSON.parse makes `__proto__` an own key: it must neither supply fields nor pollute prototypes.
      `{"__proto__": {"event": "chat.message.new"}, "data": {"messages": []}}`,
      `{"event": "chat.message.new", "data": {"__proto__": {"messages": [${JSON.stringify(message)}]}}}`,
      `{"event": "chat.message.new", "data": {"messages": [{"__proto__": ${JSON.stringify(message)}}]}}`,
      JSON.stringify({ event: 'chat.channel.part', data: { channel_id: -1 } }),
      Buffer.from('binary'),
    ];
    for (const frame of malformed) socket.inject(frame);
    socket.inject(JSON.stringify({ event: 'some.future.event', data: { anything: true } }));
    await settle();

    const errors = events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
    expect(errors).toHaveLength(malformed.length);
    expect(errors.every((e) => e.kind === 'protocol' && !e.retryable)).toBe(true);
    expect(client.store.snapshot).toBe(before.state);
    expect(client.messages(channelId).getSnapshot()).toBe(before.messages);
    expect(({} as Record<string, unknown>).event).toBeUndefined();
    expect(({} as Record<string, unknown>).messages).toBeUndefined();
    expect(client.connection.getSnapshot().status).toBe('live');

    emu.postMessage(channelId, { sender_id: bob.id, content: 'still here' });
    await vi.waitFor(
      () =>
        expect(
          client
            .messages(channelId)
            .getSnapshot()
            .messages.map((m) => m.content),
        ).toEqual(['still here']),
      { timeout: 5000, interval: 5 },
    );
  });
});

describe('tokens', () => {
  it('never appear in errors, events or URLs, except the socket URL with `socketAuth: query`', async () => {
    const { client, events, requests } = await connect({ socketAuth: 'query', requestTimeoutMs: 200 });
    const errors: ChatError[] = [];
    const collect = async (promise: Promise<unknown>) => errors.push(await rejection(promise));

    emu.setFaults([
      { method: 'GET', path: '/api/v2/chat/channels', status: 500, times: 1 },
      { method: 'GET', path: '/api/v2/chat/channels', delay_ms: 600, times: 1 },
    ]);
    await collect(client.publicChannels());
    await collect(client.publicChannels());
    expect(errors.map((e) => e.kind)).toEqual(['http', 'network']);

    // A dropped socket (its error names the URL), a reconnect, then a revoked token.
    emu.dropSockets({ user_id: alice.id });
    await waitForStatus(client, 'reconnecting');
    // Requests here time out after 200 ms, which a reconnect's GET /me can take on a loaded machine: then it
    // backs off again, so the clock keeps moving until an attempt gets through.
    await vi.waitFor(
      async () => {
        await clock.advance(10_000);
        expect(client.connection.getSnapshot().status).toBe('live');
      },
      { timeout: 5000, interval: 20 },
    );
    emu.revokeToken(alice.token);
    await collect(client.publicChannels());
    expect(errors.at(-1)?.kind).toBe('auth');
    await vi.waitFor(() => expect(client.connection.getSnapshot().status).not.toBe('live'), {
      timeout: 5000,
      interval: 5,
    });

    const secrets = [alice.token, alice.token.slice(-16)];
    const everything = [
      ...errors.map((e) => inspect(e, { depth: 20 })),
      ...events.map((e) => `${JSON.stringify(e)}\n${inspect(e, { depth: 20 })}`),
      ...requests.map((r) => r.url),
    ].join('\n');
    // The dropped socket's error names its URL, with the token redacted.
    expect(
      events.some(
        (e) => e.type === 'connection' && e.state.error?.message.includes('access_token=[redacted]'),
      ),
    ).toBe(true);
    for (const secret of secrets) expect(everything).not.toContain(secret);

    expect(TapSocket.opened.length).toBeGreaterThanOrEqual(2);
    for (const socket of TapSocket.opened) {
      expect(new URL(socket.url).searchParams.get('access_token')).toBe(alice.token);
    }
  });
});
