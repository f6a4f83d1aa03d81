// Shared harness for the engine's integration tests: an emulator on port 0, users, a client connected to it,
// a manual clock, and a fetch that records every request.
import { createEmulator, type Emulator } from '@osu-chat/emulator';
import { expect, vi } from 'vitest';
import WebSocket from 'ws';
import type { ChatEvent } from '../events.js';
import { type ChatClient, type ChatClientOptions, createChatClient } from '../index.js';
import { messageKey } from '../transport/wire.js';
import type { Clock, Message } from '../types.js';

/**
 * A clock whose time only moves when told to. `advance(ms)` runs due timers in order, letting promises settle
 * between them, so code that awaits after a timer behaves as with real time.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.UTC(2025, 0, 1, 12)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
    }
    this.time = end;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

export interface RecordedRequest {
  method: string;
  path: string;
  url: string;
}

/** A fetch that records `METHOD /api/v2/path` of every request before passing it on. */
export function recordingFetch(): { fetch: typeof globalThis.fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    requests.push({ method: request.method, path: url.pathname, url: request.url });
    return globalThis.fetch(input, init);
  };
  return { fetch, requests };
}

/** Routes only lazer (`*`) tokens may call. */
export const LAZER_ONLY_ROUTES = ['/api/v2/chat/updates', '/api/v2/chat/presence', '/api/v2/notifications'];

export interface TestUser {
  id: number;
  username: string;
  token: string;
}

/** Starts an emulator (osu!'s limits unless overridden). Close it with `emu.close()`. */
export function startEmulator(options: Parameters<typeof createEmulator>[0] = {}): Promise<Emulator> {
  return createEmulator(options);
}

/** Creates a user with a `*` token (lazer) or the third-party scope set. */
export function addUser(emu: Emulator, username: string, kind: 'lazer' | 'thirdParty' = 'lazer'): TestUser {
  const { user, token } = emu.createUser({ username, ...(kind === 'lazer' ? { scopes: ['*'] } : {}) });
  return { id: user.id, username: user.username, token };
}

/** A PUBLIC channel with these members (joining acks, so they receive its messages for 60 s). */
export function addPublicChannel(emu: Emulator, name: string, members: TestUser[]): number {
  return emu.createChannel({ name, type: 'PUBLIC', members: members.map((m) => m.id) }).channel.channel_id;
}

export interface ConnectedClient {
  client: ChatClient;
  events: ChatEvent[];
  requests: RecordedRequest[];
}

/** Creates a client for `user`, connects it and waits until it is live. */
export async function connectClient(
  emu: Emulator,
  user: TestUser,
  options: Partial<ChatClientOptions> = {},
): Promise<ConnectedClient> {
  const recorder = recordingFetch();
  const client = createChatClient({
    apiUrl: emu.apiUrl,
    socketUrl: emu.socketUrl,
    token: user.token,
    fetch: recorder.fetch,
    ...options,
  });
  const events: ChatEvent[] = [];
  client.events$.subscribe((event) => events.push(event));
  client.connect();
  await waitForStatus(client, 'live');
  return { client, events, requests: recorder.requests };
}

export async function waitForStatus(client: ChatClient, status: string, timeout = 5000): Promise<void> {
  await vi.waitFor(() => expect(client.connection.getSnapshot().status).toBe(status), {
    timeout,
    interval: 5,
  });
}

/** The server's messages of a channel, ascending, as `[id, content]` pairs. */
export function serverMessages(emu: Emulator, channelId: number): [number, string][] {
  return emu
    .state()
    .messages.filter((m) => m.channel_id === channelId)
    .map((m) => [m.message_id as number, m.content as string]);
}

/** The client's sent messages of a channel, as `[id, content]` pairs. */
export function clientMessages(client: ChatClient, channelId: number): [number, string][] {
  return client
    .messages(channelId)
    .getSnapshot()
    .messages.filter((m) => m.status === 'sent')
    .map((m) => [m.id as number, m.content]);
}

/**
 * A fetch whose answers to matching requests are held back until `release()`: the server has handled the
 * request (and sent its socket events), the client just does not see the answer yet. Lets a test decide
 * whether an HTTP answer or a socket event reaches the client first.
 */
export function holdingFetch(match: (method: string, path: string) => boolean) {
  const waiting: (() => void)[] = [];
  let released = false;
  const gate = {
    /** Answers being held right now. */
    held: 0,
    fetch: (async (input, init) => {
      const request = new Request(input as RequestInfo, init);
      const response = await globalThis.fetch(input, init);
      if (!released && match(request.method, new URL(request.url).pathname)) {
        gate.held += 1;
        await new Promise<void>((resolve) => waiting.push(resolve));
        gate.held -= 1;
      }
      return response;
    }) as typeof globalThis.fetch,
    release(): void {
      released = true;
      for (const resume of waiting.splice(0)) resume();
    },
  };
  return gate;
}

/**
 * A `ws` WebSocket class for the client's `WebSocket` option that holds back incoming frames from the first
 * one `match` accepts until `release()`, then delivers them in order (later frames queue behind a held one).
 */
export function holdingWebSocket(match: (raw: string) => boolean): {
  WebSocket: unknown;
  readonly held: number;
  release(): void;
} {
  const queue: (() => void)[] = [];
  let released = false;
  class HoldingWebSocket extends WebSocket {
    override addEventListener(type: string, listener: (event: unknown) => void): void {
      if (type !== 'message') {
        super.addEventListener(type as 'open', listener as () => void);
        return;
      }
      super.addEventListener('message', (event) => {
        const deliver = () => listener(event);
        if (queue.length > 0 || (!released && match(String(event.data)))) queue.push(deliver);
        else deliver();
      });
    }
  }
  return {
    WebSocket: HoldingWebSocket,
    /** Frames waiting to be delivered. */
    get held(): number {
      return queue.length;
    },
    release(): void {
      released = true;
      for (const deliver of queue.splice(0)) deliver();
    },
  };
}

/** The common scene: an emulator and clients sharing one ManualClock, alice and bob (`*` tokens) in `#osu`. */
export interface TwoUserScene {
  clock: ManualClock;
  emu: Emulator;
  alice: TestUser;
  bob: TestUser;
  channelId: number;
}

/** Builds a {@link TwoUserScene}; close it with `scene.emu.close()`. */
export async function twoUserScene(): Promise<TwoUserScene> {
  const clock = new ManualClock();
  const emu = await startEmulator({ clock });
  const alice = addUser(emu, 'alice');
  const bob = addUser(emu, 'bob');
  return { clock, emu, alice, bob, channelId: addPublicChannel(emu, '#osu', [alice, bob]) };
}

/** A sent message from user 2, as the reducer holds it (`patch` overrides any field). */
export function sentMessage(id: number, channelId = 10, patch: Partial<Message> = {}): Message {
  return {
    key: messageKey(id),
    id,
    channelId,
    senderId: 2,
    content: `message ${id}`,
    isAction: false,
    timestamp: id * 1000,
    type: 'plain',
    status: 'sent',
    localId: null,
    error: null,
    ...patch,
  };
}
