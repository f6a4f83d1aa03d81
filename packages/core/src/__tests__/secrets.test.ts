// The token stays secret through a whole session: a token provider, 401s that make the client ask it again,
// a 500, a timeout, dropped sockets and reconnects, sends. Everything a user or a log could see is collected
// (every events$ entry, every error with its cause chain, every URL requested, every console call, the
// connection and machine snapshots, the client object itself) and none of it may hold a token or a piece of
// one. The one exception is the socket URL under `socketAuth: 'query'`, where the browser has no other way.
import { inspect } from 'node:util';
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { ChatEvent } from '../events.js';
import { type ChatClient, createChatClient, isChatError } from '../index.js';
import {
  addPublicChannel,
  addUser,
  ManualClock,
  recordingFetch,
  startEmulator,
  type TestUser,
  waitForStatus,
} from './helpers.js';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

let clock: ManualClock;
let emu: Emulator;
let alice: TestUser;
let channelId: number;
let client: ChatClient | undefined;
/** Everything printed through `console` while a test ran. */
let printed: string[];

beforeEach(async () => {
  clock = new ManualClock();
  emu = await startEmulator({ clock });
  alice = addUser(emu, 'alice');
  channelId = addPublicChannel(emu, '#osu', [alice]);
  printed = [];
  for (const method of CONSOLE_METHODS) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(
        args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 20 }))).join(' '),
      );
    });
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  client?.dispose();
  client = undefined;
  await emu.close();
});

/** A `ws` constructor that records the URL of every socket the client opens. */
function recordingWebSocket(urls: string[]): unknown {
  return function RecordingWebSocket(url: string, options?: WebSocket.ClientOptions) {
    urls.push(url);
    return new WebSocket(url, options);
  };
}

/** A ChatError's message, its cause chain as text, and its full inspection. */
function describeError(error: unknown): string {
  const parts = [inspect(error, { depth: 20 }), JSON.stringify(error)];
  let cause: unknown = error;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 10; depth += 1) {
    parts.push(String(cause), (cause as Error).message ?? '', (cause as Error).stack ?? '');
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** Moves the manual clock until `promise` settles (sends are paced on the client's clock). */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const done = () => {
    settled = true;
  };
  promise.then(done, done);
  for (let i = 0; i < 100 && !settled; i += 1) {
    await clock.advance(250);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return promise;
}

/** The token, and its JWT segments (payload and signature) on their own. */
function secretsOf(token: string): string[] {
  const [, payload = '', signature = ''] = token.split('.');
  return [token, payload, signature].filter((s) => s.length >= 16);
}

describe.each(['header', 'query'] as const)('socketAuth: %s', (socketAuth) => {
  it('keeps every token out of events, errors, logs, snapshots and URLs through 401s, failures and reconnects', async () => {
    // The provider hands out a new token each time it is asked, as a refreshing OAuth client would.
    const provided: string[] = [];
    const provider = () => {
      const token =
        provided.length === 0 ? alice.token : emu.createToken({ user_id: alice.id, scopes: ['*'] }).token;
      provided.push(token);
      return token;
    };
    const { fetch, requests } = recordingFetch();
    const socketUrls: string[] = [];
    client = createChatClient({
      apiUrl: emu.apiUrl,
      socketUrl: emu.socketUrl,
      token: provider,
      fetch,
      WebSocket: recordingWebSocket(socketUrls),
      clock,
      socketAuth,
      requestTimeoutMs: 300,
      backoff: { initialMs: 1000, jitter: 0 },
    });
    const events: ChatEvent[] = [];
    client.events$.subscribe((event) => events.push(event));
    const errors: unknown[] = [];
    const collect = (promise: Promise<unknown>) =>
      promise.then(
        () => expect.unreachable('expected a rejection'),
        (error: unknown) => errors.push(error),
      );
    client.connect();
    await waitForStatus(client, 'live');
    const messages = client.messages(channelId);
    messages.subscribe(() => {});
    await vi.waitFor(() => expect(messages.getSnapshot().loaded).toBe(true));
    await drive(client.send(channelId, 'hello'));

    // A 401 on a request: the client asks the provider again and retries with the new token.
    emu.setFaults([
      { method: 'POST', path: `/api/v2/chat/channels/${channelId}/messages`, status: 401, times: 1 },
    ]);
    await drive(client.send(channelId, 'after a refused token'));
    // A 500 and a timeout.
    emu.setFaults([
      { method: 'GET', path: '/api/v2/chat/channels', status: 500, times: 1 },
      { method: 'GET', path: '/api/v2/chat/channels', delay_ms: 600, times: 1 },
    ]);
    await collect(client.publicChannels());
    await collect(client.publicChannels());
    // A dropped socket, and a reconnect whose /me is refused once: the machine asks the provider again.
    emu.setFaults([{ method: 'GET', path: '/api/v2/me', status: 401, times: 1 }]);
    emu.dropSockets({ user_id: alice.id });
    await waitForStatus(client, 'reconnecting');
    await clock.advance(1000);
    await waitForStatus(client, 'live');
    // The server goes away for a while.
    emu.dropSockets({ user_id: alice.id });
    emu.setFaults([{ method: 'GET', path: '/api/v2/me', status: 503, times: 2 }]);
    await waitForStatus(client, 'reconnecting');
    await vi.waitFor(
      async () => {
        await clock.advance(500);
        expect(client?.connection.getSnapshot().status).toBe('live');
      },
      { timeout: 5000, interval: 20 },
    );
    await drive(client.send(channelId, 'still here'));

    expect(provided.length).toBeGreaterThanOrEqual(3);
    expect(new Set(provided).size).toBe(provided.length);
    expect(errors.map((e) => isChatError(e) && e.kind)).toEqual(['http', 'network']);
    const reported = events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
    const stateErrors = events.flatMap((e) =>
      e.type === 'connection' && e.state.error ? [e.state.error] : [],
    );
    expect(stateErrors.map((e) => e.kind)).toEqual(expect.arrayContaining(['network', 'auth', 'http']));

    // Everything observable, socket URLs aside.
    const seen = [
      ...events.map((e) => `${JSON.stringify(e)}\n${inspect(e, { depth: 20 })}`),
      ...[...errors, ...reported, ...stateErrors].map(describeError),
      ...requests.map((r) => r.url),
      ...printed,
      JSON.stringify(client.connection.getSnapshot()),
      inspect(client.connection.getSnapshot(), { depth: 20 }),
      JSON.stringify(client.session.machine.getSnapshot()),
      inspect(client.session.machine.getSnapshot().context, { depth: 20 }),
      inspect(client, { depth: 12 }),
    ].join('\n');
    for (const secret of provided.flatMap(secretsOf)) expect(seen).not.toContain(secret);

    expect(socketUrls.length).toBeGreaterThanOrEqual(3);
    for (const url of socketUrls) {
      const parsed = new URL(url);
      if (socketAuth === 'header') {
        expect(url).toBe(emu.socketUrl);
      } else {
        // The token of that attempt, in `access_token` only.
        expect(provided).toContain(parsed.searchParams.get('access_token'));
        parsed.searchParams.delete('access_token');
        for (const secret of provided.flatMap(secretsOf)) expect(parsed.href).not.toContain(secret);
      }
    }
  });
});
