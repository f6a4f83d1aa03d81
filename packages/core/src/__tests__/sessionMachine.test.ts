// The session machine with fake actors and fake timers: every transition, the backoff bounds, the auth and
// logout paths, offline/visibility, and the keepalive loop (the real one, with a fake ack).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromCallback, fromPromise } from 'xstate';
import { ChatError } from '../errors.js';
import { type KeepaliveInput, runKeepalive } from '../session/keepaliveActor.js';
import {
  createSessionMachine,
  type ResolvedSession,
  type ResolveInput,
  type SessionInput,
  sessionMachine,
} from '../session/sessionMachine.js';
import type { SocketCommand, SocketEvent, WebSocketLike } from '../session/socketActor.js';
import { sessionChart, toConnectionState } from '../session/status.js';
import type { User } from '../types.js';

const USER: User = {
  id: 2,
  username: 'peppy',
  avatarUrl: null,
  countryCode: 'AU',
  isBot: false,
  isOnline: true,
  isSupporter: true,
  profileColour: null,
  pmFriendsOnly: false,
};
const SESSION: ResolvedSession = {
  user: USER,
  mode: 'thirdParty',
  socketUrl: 'ws://chat.test/feed',
  token: 's3cret-token',
};
const unauthorized = () => new ChatError('auth', 'Unauthorized', { status: 401 });
const flush = () => vi.advanceTimersByTimeAsync(0);

interface FakeSocket {
  input: { url: string; token: string };
  /** Commands received and `stopped`, in order. */
  log: string[];
  sendBack(event: SocketEvent): void;
}

function harness(options: { input?: SessionInput; keepalive?: KeepaliveInput } = {}) {
  const resolve = vi.fn(async (_input: ResolveInput): Promise<ResolvedSession> => SESSION);
  const sockets: FakeSocket[] = [];
  const machine = sessionMachine.provide({
    actors: {
      resolveSession: fromPromise<ResolvedSession, ResolveInput>(({ input }) => resolve(input)),
      socket: fromCallback<SocketCommand, { url: string; token: string }>(({ input, sendBack, receive }) => {
        const socket: FakeSocket = { input, log: [], sendBack };
        sockets.push(socket);
        receive((command) => socket.log.push(command.type));
        return () => socket.log.push('stopped');
      }),
      keepalive: fromCallback(({ sendBack, receive }) =>
        options.keepalive ? runKeepalive(options.keepalive, sendBack, receive) : undefined,
      ),
    },
  });
  const actor = createActor(machine, { input: { random: () => 0.5, ...options.input } }).start();
  const state = () => toConnectionState(actor.getSnapshot());
  const socket = () => sockets.at(-1) as FakeSocket;
  const connect = async () => {
    actor.send({ type: 'session.connect' });
    await flush();
  };
  const goLive = async () => {
    await connect();
    socket().sendBack({ type: 'socket.ready' });
  };
  const close = () => socket().sendBack({ type: 'socket.closed', error: new ChatError('network', 'gone') });
  return { actor, resolve, sockets, socket, state, connect, goLive, close };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connecting', () => {
  it('goes idle → resolving → socket.awaitingReady → socket.live and sends chat.start only on entering live', async () => {
    const h = harness();
    expect(h.state()).toMatchObject({ status: 'idle', detail: 'idle', attempt: 0, user: null });
    h.actor.send({ type: 'session.connect' });
    expect(h.state()).toMatchObject({ status: 'connecting', detail: 'resolving' });
    expect(h.resolve).toHaveBeenCalledWith({ refresh: false });
    await flush();
    expect(h.state()).toMatchObject({ status: 'connecting', detail: 'socket.awaitingReady', user: USER });
    expect(h.state().mode).toBe('thirdParty');
    expect(h.socket().input).toEqual({ url: SESSION.socketUrl, token: SESSION.token });
    expect(h.socket().log).toEqual([]);
    h.socket().sendBack({ type: 'socket.ready' });
    expect(h.state()).toMatchObject({ status: 'live', detail: 'socket.live', error: null });
    expect(h.socket().log).toEqual(['chat.start']);
  });

  it('keeps the token out of the serialised snapshot', async () => {
    const h = harness();
    await h.goLive();
    expect(JSON.stringify(h.actor.getSnapshot().context)).not.toContain(SESSION.token);
  });

  it('backs off when connection.ready never comes (readyTimeout, 15 s by default)', async () => {
    const h = harness();
    await h.connect();
    await vi.advanceTimersByTimeAsync(14_999);
    expect(h.state().detail).toBe('socket.awaitingReady');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.state()).toMatchObject({ status: 'reconnecting', detail: 'backoff', attempt: 1 });
    expect(h.state().error?.message).toContain('connection.ready');
    expect(h.socket().log).toEqual(['stopped']);
  });

  it('honours a custom readyTimeoutMs', async () => {
    const h = harness({ input: { readyTimeoutMs: 500 } });
    await h.connect();
    await vi.advanceTimersByTimeAsync(500);
    expect(h.state().detail).toBe('backoff');
  });
});

describe('backoff', () => {
  const nominal = (attempt: number) => 3_000 * 1.5 ** (attempt - 1);

  it.each([
    [0, 0.75],
    [0.5, 1],
    [1, 1.25],
  ])('with random() = %s waits 3 s × 1.5ⁿ⁻¹ × %s and then reconnects', async (random, spread) => {
    const h = harness({ input: { random: () => random } });
    await h.goLive();
    for (let attempt = 1; attempt <= 4; attempt++) {
      h.close();
      const delay = Math.round(nominal(attempt) * spread);
      expect(h.state()).toMatchObject({ status: 'reconnecting', detail: 'backoff', attempt });
      expect(h.state().nextRetryAt).toBe(Date.now() + delay);
      expect(h.socket().log.at(-1)).toBe('stopped');
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(h.state().detail).toBe('backoff');
      await vi.advanceTimersByTimeAsync(1);
      // The retry resolved again and opened a new socket; still counting attempts until ready.
      expect(h.resolve).toHaveBeenCalledTimes(attempt + 1);
      expect(h.state()).toMatchObject({
        status: 'reconnecting',
        detail: 'socket.awaitingReady',
        nextRetryAt: null,
      });
    }
  });

  it.each([
    [0, 90_000],
    [0.5, 120_000],
    [1, 120_000],
  ])('caps the delay at 120 s (random() = %s → %s ms)', async (random, capped) => {
    const h = harness({ input: { random: () => random } });
    h.resolve.mockRejectedValue(new ChatError('network', 'down'));
    await h.connect();
    for (let attempt = 1; attempt <= 14; attempt++) {
      const delay = (h.state().nextRetryAt ?? 0) - Date.now();
      if (attempt >= 12) expect(delay).toBe(capped);
      else expect(delay).toBeLessThanOrEqual(120_000);
      await vi.advanceTimersByTimeAsync(delay);
      expect(h.state()).toMatchObject({ detail: 'backoff', attempt: attempt + 1 });
    }
  });

  it('resets the attempt counter only after connection.ready', async () => {
    const h = harness();
    h.resolve.mockRejectedValueOnce(new ChatError('network', 'down'));
    await h.connect();
    await vi.advanceTimersByTimeAsync(3_000);
    h.close();
    expect(h.state().attempt).toBe(2);
    await vi.advanceTimersByTimeAsync(4_500);
    expect(h.state()).toMatchObject({ detail: 'socket.awaitingReady', attempt: 2, status: 'reconnecting' });
    h.socket().sendBack({ type: 'socket.ready' });
    expect(h.state()).toMatchObject({ status: 'live', attempt: 0, error: null });
    h.close();
    expect((h.state().nextRetryAt ?? 0) - Date.now()).toBe(3_000);
  });

  it('retries at once when the page becomes visible during backoff', async () => {
    const h = harness();
    await h.goLive();
    h.actor.send({ type: 'page.visible' });
    expect(h.state().detail).toBe('socket.live');
    h.close();
    await vi.advanceTimersByTimeAsync(1_000);
    h.actor.send({ type: 'page.visible' });
    expect(h.state()).toMatchObject({ detail: 'resolving', nextRetryAt: null });
    expect(h.resolve).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10_000);
    // The cancelled backoff timer did not start another attempt.
    expect(h.resolve).toHaveBeenCalledTimes(2);
  });
});

describe('auth', () => {
  it('refreshes the token once after the socket refuses it, then stops in unauthorized', async () => {
    const h = harness();
    await h.connect();
    h.socket().sendBack({ type: 'socket.authFailed' });
    expect(h.state()).toMatchObject({ detail: 'resolving', status: 'reconnecting' });
    expect(h.resolve).toHaveBeenLastCalledWith({ refresh: true });
    await flush();
    h.socket().sendBack({ type: 'socket.authFailed' });
    expect(h.state()).toMatchObject({ status: 'unauthorized', detail: 'unauthorized' });
    expect(h.state().error?.kind).toBe('auth');
    await vi.advanceTimersByTimeAsync(600_000);
    h.actor.send({ type: 'network.online' });
    expect(h.state().status).toBe('unauthorized');
    expect(h.resolve).toHaveBeenCalledTimes(2);
  });

  it('gets a refresh again after a successful connection.ready', async () => {
    const h = harness();
    await h.connect();
    h.socket().sendBack({ type: 'socket.authFailed' });
    await flush();
    h.socket().sendBack({ type: 'socket.ready' });
    h.socket().sendBack({ type: 'socket.authFailed' });
    expect(h.state().detail).toBe('resolving');
    expect(h.resolve.mock.calls.map(([input]) => input.refresh)).toEqual([false, true, true]);
  });

  it('treats a 401 from resolveSession the same way: one refresh, then unauthorized', async () => {
    const h = harness();
    h.resolve.mockRejectedValue(unauthorized());
    await h.connect();
    expect(h.resolve.mock.calls.map(([input]) => input)).toEqual([{ refresh: false }, { refresh: true }]);
    expect(h.state()).toMatchObject({ status: 'unauthorized', error: { kind: 'auth', status: 401 } });
    expect(h.sockets).toHaveLength(0);
  });

  it('connects with the refreshed token when the refresh works', async () => {
    const h = harness();
    h.resolve.mockRejectedValueOnce(unauthorized());
    await h.connect();
    h.socket().sendBack({ type: 'socket.ready' });
    expect(h.state()).toMatchObject({ status: 'live', attempt: 0 });
  });

  it('leaves unauthorized only on an explicit session.connect', async () => {
    const h = harness();
    h.resolve.mockRejectedValueOnce(unauthorized()).mockRejectedValueOnce(unauthorized());
    await h.connect();
    expect(h.state().status).toBe('unauthorized');
    await h.goLive();
    expect(h.state().status).toBe('live');
  });

  it('makes a server logout terminal: no reconnect, resolve not called again', async () => {
    const h = harness();
    await h.goLive();
    h.socket().sendBack({ type: 'socket.logout' });
    expect(h.state()).toMatchObject({ status: 'loggedOut', detail: 'loggedOut', nextRetryAt: null });
    expect(h.socket().log).toEqual(['chat.start', 'chat.end', 'stopped']);
    await vi.advanceTimersByTimeAsync(600_000);
    for (const type of ['network.online', 'page.visible', 'keepalive.now'] as const) h.actor.send({ type });
    expect(h.state().status).toBe('loggedOut');
    expect(h.resolve).toHaveBeenCalledTimes(1);
    expect(h.sockets).toHaveLength(1);
  });
});

describe('network and lifetime', () => {
  it('closes the socket when offline and connects at once when back online', async () => {
    const h = harness();
    await h.goLive();
    h.actor.send({ type: 'network.offline' });
    expect(h.state()).toMatchObject({ status: 'offline', detail: 'offline' });
    expect(h.socket().log.at(-1)).toBe('stopped');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(h.resolve).toHaveBeenCalledTimes(1);
    h.actor.send({ type: 'network.online' });
    expect(h.state().detail).toBe('resolving');
    expect(h.resolve).toHaveBeenCalledTimes(2);
  });

  it('drops a pending retry when going offline during backoff', async () => {
    const h = harness();
    await h.goLive();
    h.close();
    h.actor.send({ type: 'network.offline' });
    expect(h.state()).toMatchObject({ status: 'offline', nextRetryAt: null, attempt: 1 });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(h.resolve).toHaveBeenCalledTimes(1);
  });

  it('ignores offline while idle', () => {
    const h = harness();
    h.actor.send({ type: 'network.offline' });
    expect(h.state().status).toBe('idle');
  });

  it('disconnect sends chat.end, then closes the socket, and returns to idle', async () => {
    const h = harness();
    h.resolve.mockRejectedValueOnce(new ChatError('network', 'down'));
    await h.connect();
    await vi.advanceTimersByTimeAsync(3_000);
    h.socket().sendBack({ type: 'socket.ready' });
    h.actor.send({ type: 'session.disconnect' });
    expect(h.state()).toMatchObject({ status: 'idle', detail: 'idle', attempt: 0, error: null });
    expect(h.socket().log).toEqual(['chat.start', 'chat.end', 'stopped']);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(h.resolve).toHaveBeenCalledTimes(2);
  });

  it('can disconnect from backoff without a later retry', async () => {
    const h = harness();
    await h.goLive();
    h.close();
    h.actor.send({ type: 'session.disconnect' });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(h.state().status).toBe('idle');
    expect(h.resolve).toHaveBeenCalledTimes(1);
  });
});

describe('keepalive', () => {
  function keepalive(overrides: Partial<KeepaliveInput> = {}) {
    const input = {
      ack: vi.fn(async () => {}),
      needsKeepalive: vi.fn(() => true),
      onAckError: vi.fn(),
      random: () => 0,
      ...overrides,
    };
    return input;
  }

  it.each([
    [0, 20_000],
    [0.5, 25_000],
    [1, 30_000],
  ])('acks at once in live, then every 20–30 s (random() = %s → %s ms)', async (random, interval) => {
    const k = keepalive({ random: () => random });
    const h = harness({ keepalive: k });
    await h.connect();
    expect(k.ack).not.toHaveBeenCalled();
    h.socket().sendBack({ type: 'socket.ready' });
    expect(k.ack).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(interval - 1);
    expect(k.ack).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(k.ack).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(interval);
    expect(k.ack).toHaveBeenCalledTimes(3);
  });

  it('does not ack while needsKeepalive() is false, and asks again every tick', async () => {
    let needed = false;
    const k = keepalive({ needsKeepalive: vi.fn(() => needed) });
    const h = harness({ keepalive: k });
    await h.goLive();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(k.ack).not.toHaveBeenCalled();
    expect(k.needsKeepalive).toHaveBeenCalledTimes(4);
    needed = true;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(k.ack).toHaveBeenCalledTimes(1);
  });

  it('acks at once on keepalive.now and restarts the interval', async () => {
    const k = keepalive();
    const h = harness({ keepalive: k });
    await h.goLive();
    await vi.advanceTimersByTimeAsync(10_000);
    h.actor.send({ type: 'keepalive.now' });
    expect(k.ack).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(k.ack).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(k.ack).toHaveBeenCalledTimes(3);
  });

  it('stops acking when the session leaves live', async () => {
    const k = keepalive();
    const h = harness({ keepalive: k });
    await h.goLive();
    h.actor.send({ type: 'network.offline' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(k.ack).toHaveBeenCalledTimes(1);
  });

  it('reports other ack failures through onAckError and keeps going', async () => {
    const failure = new ChatError('http', 'Server error', { status: 500 });
    const k = keepalive({ ack: vi.fn().mockRejectedValueOnce(failure).mockResolvedValue(undefined) });
    const h = harness({ keepalive: k });
    await h.goLive();
    await flush();
    expect(k.onAckError).toHaveBeenCalledWith(failure);
    expect(h.state().status).toBe('live');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(k.ack).toHaveBeenCalledTimes(2);
  });

  it('takes the refresh path when an ack is refused (token.rejected), then unauthorized', async () => {
    const k = keepalive({ ack: vi.fn().mockRejectedValue(unauthorized()) });
    const h = harness({ keepalive: k });
    await h.goLive();
    const first = h.socket();
    await flush();
    expect(first.log).toEqual(['chat.start', 'chat.end', 'stopped']);
    expect(h.resolve).toHaveBeenLastCalledWith({ refresh: true });
    expect(h.state()).toMatchObject({ detail: 'socket.awaitingReady', status: 'reconnecting' });
    expect(k.onAckError).not.toHaveBeenCalled();
    h.socket().sendBack({ type: 'socket.authFailed' });
    expect(h.state().status).toBe('unauthorized');
  });
});

describe('createSessionMachine', () => {
  it('wires the deps into the real socket and keepalive actors', async () => {
    const sent: string[] = [];
    const opened: { url: string; options: unknown }[] = [];
    const listeners = new Map<string, (event: unknown) => void>();
    class FakeWebSocket implements WebSocketLike {
      readyState = 1;
      constructor(url: string, options?: unknown) {
        opened.push({ url, options });
      }
      send(data: string) {
        sent.push(data);
      }
      close() {
        this.readyState = 3;
      }
      addEventListener(type: string, listener: (event: never) => void) {
        listeners.set(type, listener as (event: unknown) => void);
      }
    }
    const ack = vi.fn(async () => {});
    const machine = createSessionMachine({
      resolveSession: async () => SESSION,
      socket: {
        auth: 'header',
        pingTimeoutMs: 0,
        WebSocket: FakeWebSocket,
        onFrame: vi.fn(),
        onError: vi.fn(),
      },
      keepalive: { ack, needsKeepalive: () => true, onAckError: vi.fn() },
    });
    const actor = createActor(machine, { input: {} }).start();
    actor.send({ type: 'session.connect' });
    await flush();
    expect(opened).toEqual([
      { url: SESSION.socketUrl, options: { headers: { Authorization: 'Bearer s3cret-token' } } },
    ]);
    listeners.get('message')?.({ data: '{"event":"connection.ready"}' });
    expect(toConnectionState(actor.getSnapshot()).status).toBe('live');
    expect(sent).toEqual(['{"event":"chat.start"}']);
    expect(ack).toHaveBeenCalledTimes(1);
    actor.send({ type: 'session.disconnect' });
    expect(sent).toEqual(['{"event":"chat.start"}', '{"event":"chat.end"}']);
  });
});

describe('sessionChart', () => {
  it('lists the states and transitions for drawing', () => {
    const chart = sessionChart();
    expect(chart.states.map((state) => state.path)).toEqual([
      'idle',
      'resolving',
      'socket',
      'socket.awaitingReady',
      'socket.live',
      'backoff',
      'authFailed',
      'offline',
      'unauthorized',
      'loggedOut',
    ]);
    expect(chart.transitions).toContainEqual({
      from: 'backoff',
      event: 'after backoff',
      to: 'resolving',
      guard: null,
    });
    expect(chart.transitions).toContainEqual({
      from: 'resolving',
      event: 'error resolveSession',
      to: 'authFailed',
      guard: 'isAuthError',
    });
  });
});
