// The socket actor against the real emulator (and, for frames the emulator never sends, a tiny local server).
// Every error any test sees is checked for the token.
import type { AddressInfo } from 'node:net';
import { createEmulator, type Emulator } from '@osu-chat/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import { type AnyActorRef, createActor, sendTo, setup } from 'xstate';
import type { ChatError } from '../errors.js';
import {
  type SocketCommand,
  type SocketEvent,
  type SocketEventLike,
  type SocketInput,
  socketActor,
  type WebSocketLike,
} from '../session/socketActor.js';
import type { ServerFrame } from '../transport/frames.js';

let emu: Emulator;
let users = 0;
const running: AnyActorRef[] = [];
/** Every error of the current test, with the tokens it must not contain. */
const seen: { errors: ChatError[]; tokens: string[] } = { errors: [], tokens: [] };

beforeAll(async () => {
  emu = await createEmulator();
});
afterAll(() => emu.close());
afterEach(() => {
  for (const actor of running.splice(0)) actor.stop();
  for (const error of seen.errors.splice(0)) {
    const text = [
      error.message,
      error.stack,
      error.serverMessage,
      (error.cause as Error | undefined)?.message,
    ];
    for (const token of seen.tokens) expect(text.join('\n')).not.toContain(token);
  }
  seen.tokens.length = 0;
});

function newUser() {
  const created = emu.createUser({ username: `socket${++users}` });
  seen.tokens.push(created.token);
  return created;
}

/** `ws` that remembers each instance and its constructor arguments. */
function spyWebSocket() {
  const opened: { ws: WebSocket; url: string; options: ClientOptions | undefined }[] = [];
  class SpyWebSocket extends WebSocket {
    constructor(url: string, options?: ClientOptions) {
      super(url, options);
      opened.push({ ws: this, url, options });
    }
  }
  return { SpyWebSocket, opened };
}

/** A browser's WebSocket as far as the actor can tell: `ws` behind the standard API only (no `on`). */
class BrowserLikeWebSocket implements WebSocketLike {
  static opened: WebSocket[] = [];
  private readonly ws: WebSocket;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    // Binary frames arrive as ArrayBuffers (browsers' other choice is Blob); text ones as strings.
    this.ws.binaryType = 'arraybuffer';
    BrowserLikeWebSocket.opened.push(this.ws);
  }
  get readyState(): number {
    return this.ws.readyState;
  }
  send(data: string): void {
    this.ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: SocketEventLike) => void,
  ): void {
    this.ws.addEventListener(type, listener);
  }
}

/** Runs the socket actor under a parent that records what it sends back and forwards commands to it. */
function startSocket(input: Pick<SocketInput, 'url' | 'token'> & Partial<SocketInput>) {
  const events: SocketEvent[] = [];
  const frames: ServerFrame[] = [];
  const errors: ChatError[] = [];
  const sent: string[] = [];
  const parent = setup({
    types: { events: {} as SocketEvent | SocketCommand },
    actors: { socket: socketActor },
  }).createMachine({
    invoke: {
      id: 'socket',
      src: 'socket',
      input: {
        auth: 'header',
        pingTimeoutMs: 0,
        onFrame: (frame) => frames.push(frame),
        onError: (error) => {
          errors.push(error);
          seen.errors.push(error);
        },
        onSent: (raw) => sent.push(raw),
        ...input,
      },
    },
    on: {
      'chat.start': { actions: sendTo('socket', { type: 'chat.start' }) },
      'chat.end': { actions: sendTo('socket', { type: 'chat.end' }) },
      '*': {
        actions: ({ event }) => {
          events.push(event as SocketEvent);
          if (event.type === 'socket.closed') seen.errors.push(event.error);
        },
      },
    },
  });
  const actor = createActor(parent).start();
  running.push(actor);
  const next = <T extends SocketEvent['type']>(type: T) =>
    vi.waitFor(
      () => {
        const event = events.find((e) => e.type === type);
        if (!event)
          throw new Error(`no ${type} yet; got ${events.map((e) => e.type).join(', ') || 'nothing'}`);
        return event as Extract<SocketEvent, { type: T }>;
      },
      { timeout: 2_000, interval: 5 },
    );
  return { actor, events, frames, errors, sent, next };
}

/** Resolves once the server has read everything sent before (a ping is answered in order). */
const sync = (ws: WebSocket) => new Promise<void>((resolve) => ws.once('pong', () => resolve()).ping());

describe('against the emulator', () => {
  it('authenticates with the Authorization header in Node', async () => {
    const { token } = newUser();
    const { SpyWebSocket, opened } = spyWebSocket();
    const socket = startSocket({ url: emu.socketUrl, token, auth: 'header', WebSocket: SpyWebSocket });
    await socket.next('socket.ready');
    expect(opened[0]?.url).toBe(emu.socketUrl);
    expect(opened[0]?.options).toEqual({ headers: { Authorization: `Bearer ${token}` } });
  });

  it('authenticates with ?access_token= and never shows the token in errors', async () => {
    const { token } = newUser();
    const { SpyWebSocket, opened } = spyWebSocket();
    const url = `${emu.socketUrl}?client=test`;
    const socket = startSocket({ url, token, auth: 'query', WebSocket: SpyWebSocket });
    await socket.next('socket.ready');
    const params = new URL(opened[0]?.url ?? '').searchParams;
    expect([params.get('client'), params.get('access_token')]).toEqual(['test', token]);
    expect(opened[0]?.options).toBeUndefined();
    emu.dropSockets();
    const { error } = await socket.next('socket.closed');
    expect(error.message).toContain('access_token=[redacted]');
  });

  it('starts chat after ready and hands messages to onFrame', async () => {
    const me = newUser();
    const other = newUser();
    const { channel } = emu.createChannel({ name: '#socket-test', type: 'PUBLIC', members: [me.user.id] });
    const { SpyWebSocket, opened } = spyWebSocket();
    const socket = startSocket({ url: emu.socketUrl, token: me.token, WebSocket: SpyWebSocket });
    await socket.next('socket.ready');
    socket.actor.send({ type: 'chat.start' });
    expect(socket.sent).toEqual(['{"event":"chat.start"}']);
    await sync(opened[0]?.ws as WebSocket);
    emu.postMessage(channel.channel_id, { sender_id: other.user.id, content: 'hello from the emulator' });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), { timeout: 2_000, interval: 5 });
    const [frame] = socket.frames;
    expect(frame?.type === 'messages' && frame.messages[0]?.content).toBe('hello from the emulator');
    // Chat frames never go through the parent.
    expect(socket.events.map((e) => e.type)).toEqual(['socket.ready']);
  });

  it('reports a refused token as socket.authFailed', async () => {
    seen.tokens.push('not-a-real-token');
    const socket = startSocket({ url: emu.socketUrl, token: 'not-a-real-token' });
    await socket.next('socket.authFailed');
    expect(socket.events.map((e) => e.type)).not.toContain('socket.ready');
  });

  it('reports a revoked token as socket.logout', async () => {
    const { token } = newUser();
    const socket = startSocket({ url: emu.socketUrl, token });
    await socket.next('socket.ready');
    emu.revokeToken(token);
    await socket.next('socket.logout');
  });

  it('reports a dropped connection as socket.closed (network)', async () => {
    const { user, token } = newUser();
    const socket = startSocket({ url: emu.socketUrl, token });
    await socket.next('socket.ready');
    emu.dropSockets({ user_id: user.id });
    const { error } = await socket.next('socket.closed');
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
  });

  it('closes a socket whose server pings stop (pingTimeoutMs)', async () => {
    const quiet = await createEmulator({ pingIntervalMs: 60_000 });
    try {
      const { token } = quiet.createUser({ username: 'quiet' });
      seen.tokens.push(token);
      const socket = startSocket({ url: quiet.socketUrl, token, pingTimeoutMs: 100 });
      await socket.next('socket.ready');
      const { error } = await socket.next('socket.closed');
      expect(error).toMatchObject({ kind: 'network' });
      expect(error.message).toContain('No ping');
    } finally {
      await quiet.close();
    }
  });
});

describe('against a local server', () => {
  const localToken = () => {
    seen.tokens.push('local-token');
    return 'local-token';
  };

  async function localServer() {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const received: string[] = [];
    const closed = new Promise<number>((resolve) => {
      server.on('connection', (ws) => {
        ws.on('message', (data) => received.push(String(data)));
        ws.on('close', (code) => resolve(code));
      });
    });
    const client = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
    return { server, url, client, received, closed };
  }

  it('reports a malformed frame through onError (protocol) and keeps working', async () => {
    const local = await localServer();
    try {
      const socket = startSocket({ url: local.url, token: localToken() });
      const ws = await local.client;
      ws.send('this is not json');
      ws.send('{"event":"connection.ready"}');
      ws.send('{"event":"chat.channel.part","data":{"channel_id":5}}');
      await socket.next('socket.ready');
      await vi.waitFor(() => expect(socket.frames).toHaveLength(1), { timeout: 2_000, interval: 5 });
      expect(socket.frames[0]).toEqual({ type: 'channelPart', channelId: 5 });
      expect(socket.errors.map((e) => e.kind)).toEqual(['protocol']);
    } finally {
      local.server.close();
    }
  });

  /**
   * The server sends `connection.ready`, a chat frame as a binary frame (rejected, although its bytes are a
   * valid frame), then the same frame as text (delivered): one protocol error, and the socket stays open.
   */
  async function textAndBinaryFrames(Ctor: SocketInput['WebSocket'], opened: () => WebSocket | undefined) {
    const local = await localServer();
    try {
      const socket = startSocket({ url: local.url, token: localToken(), WebSocket: Ctor });
      const ws = await local.client;
      const part = (id: number) => `{"event":"chat.channel.part","data":{"channel_id":${id}}}`;
      ws.send('{"event":"connection.ready"}');
      ws.send(Buffer.from(part(6)), { binary: true });
      ws.send(part(7));
      await socket.next('socket.ready');
      await vi.waitFor(() => expect(socket.frames).toHaveLength(1), { timeout: 2_000, interval: 5 });
      await sync(ws);
      expect(socket.frames).toEqual([{ type: 'channelPart', channelId: 7 }]);
      expect(socket.errors.map((e) => [e.kind, e.message])).toEqual([
        ['protocol', 'The socket sent a binary frame'],
      ]);
      expect(socket.events.map((e) => e.type)).toEqual(['socket.ready']);
      expect(opened()?.readyState).toBe(WebSocket.OPEN);
    } finally {
      local.server.close();
    }
  }

  it("reports `ws`'s binary frames as a protocol error and delivers its text frames", async () => {
    const { SpyWebSocket, opened } = spyWebSocket();
    await textAndBinaryFrames(SpyWebSocket, () => opened[0]?.ws);
  });

  it('does the same for a browser WebSocket (no `on`, binary frames as ArrayBuffers)', async () => {
    BrowserLikeWebSocket.opened = [];
    await textAndBinaryFrames(BrowserLikeWebSocket, () => BrowserLikeWebSocket.opened[0]);
  });

  it('sends nothing before the socket is open, and chat.end then a clean close on stop', async () => {
    const local = await localServer();
    try {
      const socket = startSocket({ url: local.url, token: localToken() });
      socket.actor.send({ type: 'chat.start' });
      expect(socket.sent).toEqual([]);
      const ws = await local.client;
      ws.send('{"event":"connection.ready"}');
      await socket.next('socket.ready');
      socket.actor.send({ type: 'chat.start' });
      socket.actor.stop();
      expect(await local.closed).toBe(1000);
      expect(local.received).toEqual(['{"event":"chat.start"}', '{"event":"chat.end"}']);
      expect(socket.events.map((e) => e.type)).toEqual(['socket.ready']);
    } finally {
      local.server.close();
    }
  });

  it('stops quietly while the socket is still connecting', async () => {
    const local = await localServer();
    try {
      const { SpyWebSocket, opened } = spyWebSocket();
      const socket = startSocket({ url: local.url, token: localToken(), WebSocket: SpyWebSocket });
      const ws = opened[0]?.ws as WebSocket;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      socket.actor.stop();
      await closed;
      expect(ws.readyState).toBe(WebSocket.CLOSED);
      expect(socket.events).toEqual([]);
    } finally {
      local.server.close();
    }
  });

  it('reports a URL that cannot be opened as socket.closed, token redacted', async () => {
    const socket = startSocket({ url: 'not a url', token: localToken(), auth: 'query' });
    const { error } = await socket.next('socket.closed');
    expect(error.message).toContain('access_token=[redacted]');
  });

  it('reports a socket that cannot connect as socket.closed', async () => {
    const local = await localServer();
    await new Promise((resolve) => local.server.close(resolve));
    const socket = startSocket({ url: local.url, token: localToken() });
    const { error } = await socket.next('socket.closed');
    expect(error.kind).toBe('network');
  });
});
