// The engine as a browser build runs it: `#platform` is browser.ts here (what the `browser` condition picks),
// while the socket is still `ws` in Node. Query auth by default, no ping watchdog, and the outbox's "never
// sent" answer from the error's kind alone.
import type { Emulator } from '@osu-chat/emulator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ChatError } from '../errors.js';
import { type ChatClient, createChatClient } from '../index.js';
import { runSocket, type SocketEventLike, type WebSocketLike } from '../session/socketActor.js';
import { definitelyNotSent } from '../transport/http.js';
import { addUser, startEmulator, type TestUser, waitForStatus } from './helpers.js';

vi.mock('#platform', () => import('../platform/browser.js'));

/** A socket double that records the listeners the actor registers. */
class ListenedSocket implements WebSocketLike {
  static last: ListenedSocket | undefined;
  readyState = 0;
  readonly listened: string[] = [];
  constructor(readonly url: string) {
    ListenedSocket.last = this;
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  addEventListener(type: string, _listener: (event: SocketEventLike) => void): void {
    this.listened.push(type);
  }
  on(event: 'ping'): void {
    this.listened.push(`on ${event}`);
  }
  terminate(): void {}
}

describe('a browser build', () => {
  let emu: Emulator;
  let alice: TestUser;
  let client: ChatClient | undefined;
  beforeEach(async () => {
    emu = await startEmulator();
    alice = addUser(emu, 'alice', 'lazer');
  });
  afterEach(async () => {
    client?.dispose();
    client = undefined;
    await emu.close();
  });

  it('puts the token in ?access_token= by default', async () => {
    const urls: string[] = [];
    function RecordingWebSocket(url: string, options?: WebSocket.ClientOptions) {
      urls.push(url);
      return new WebSocket(url, options);
    }
    client = createChatClient({
      apiUrl: emu.apiUrl,
      socketUrl: emu.socketUrl,
      token: alice.token,
      WebSocket: RecordingWebSocket,
    });
    client.connect();
    await waitForStatus(client, 'live');
    expect(urls).toHaveLength(1);
    expect(new URL(urls[0] as string).searchParams.get('access_token')).toBe(alice.token);
  });

  it('has no ping watchdog: no timer, no ping listener, whatever pingTimeoutMs says', () => {
    vi.useFakeTimers();
    try {
      const stop = runSocket(
        {
          url: 'ws://127.0.0.1:1/feed',
          token: 'browser-test-token',
          auth: 'query',
          WebSocket: ListenedSocket,
          pingTimeoutMs: 45_000,
          onFrame: () => {},
          onError: () => {},
        },
        () => {},
        () => {},
      );
      const socket = ListenedSocket.last as ListenedSocket;
      expect(socket.listened).toEqual(['message', 'close', 'error']);
      expect(vi.getTimerCount()).toBe(0);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers "never sent" from the kind alone: a browser fetch failure carries no codes', () => {
    const refused = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(
      definitelyNotSent(new ChatError('network', 'could not reach the server', { cause: refused })),
    ).toBe(false);
    expect(definitelyNotSent(new ChatError('rateLimit', 'rate limited', { status: 429 }))).toBe(true);
    expect(definitelyNotSent(new ChatError('auth', 'refused', { status: 401 }))).toBe(true);
    expect(definitelyNotSent(new ChatError('http', 'failed with 503', { status: 503 }))).toBe(false);
  });
});
