// The socket's liveness check, with a test double for the socket and fake timers: osu!'s server pings every
// 20 s, and a socket silent for the ping timeout (45 s) is ended within a third of it more.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  runSocket,
  type SocketEvent,
  type SocketEventLike,
  type WebSocketLike,
} from '../session/socketActor.js';

class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined;
  readyState = 0;
  terminated = false;
  private readonly listeners = new Map<string, ((event: SocketEventLike) => void)[]>();
  private pingListener: (() => void) | undefined;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  addEventListener(type: string, listener: (event: SocketEventLike) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  on(_event: 'ping', listener: () => void): void {
    this.pingListener = listener;
  }
  emit(type: string, event: Partial<SocketEventLike> = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener({ type, ...event });
  }
  open(): void {
    this.readyState = 1;
    this.emit('open');
  }
  frame(data: string): void {
    this.emit('message', { data });
  }
  ping(): void {
    this.pingListener?.();
  }
}

function start() {
  const events: SocketEvent[] = [];
  const stop = runSocket(
    {
      url: 'ws://127.0.0.1:1/feed',
      token: 'ping-test-token',
      auth: 'header',
      WebSocket: FakeSocket,
      pingTimeoutMs: 45_000,
      onFrame: () => {},
      onError: () => {},
    },
    (event) => events.push(event),
    () => {},
  );
  const socket = FakeSocket.last as FakeSocket;
  socket.open();
  socket.frame('{"event":"connection.ready"}');
  const closed = () => events.filter((e) => e.type === 'socket.closed');
  return { socket, events, closed, stop };
}

describe('socket liveness (pingTimeoutMs)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a socket open for as long as the server pings every 20 s', () => {
    const { socket, closed, stop } = start();
    for (let i = 0; i < 30; i += 1) {
      vi.advanceTimersByTime(20_000);
      socket.ping();
    }
    expect(closed()).toEqual([]);
    expect(socket.terminated).toBe(false);
    stop();
  });

  it('counts chat frames as signs of life too', () => {
    const { socket, closed, stop } = start();
    for (let i = 0; i < 30; i += 1) {
      vi.advanceTimersByTime(30_000);
      socket.frame('{"event":"chat.message.new","data":{"messages":[]}}');
    }
    expect(closed()).toEqual([]);
    stop();
  });

  it('ends a socket after 45 to 60 s of silence, whenever in a check period the last sign of life came', () => {
    for (const offset of [1, 7_500, 14_999]) {
      const { socket, closed } = start();
      vi.advanceTimersByTime(offset);
      socket.ping();
      vi.advanceTimersByTime(45_000 - 1);
      expect(closed()).toEqual([]);
      vi.advanceTimersByTime(15_000);
      expect(closed()).toHaveLength(1);
      expect(closed()[0]).toMatchObject({ error: { kind: 'network' } });
      expect((closed()[0] as Extract<SocketEvent, { type: 'socket.closed' }>).error.message).toContain(
        'No ping',
      );
      expect(socket.terminated).toBe(true);
    }
  });

  it('stops checking when stopped: no timer is left behind', () => {
    const { stop } = start();
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
