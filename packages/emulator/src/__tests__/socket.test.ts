// The notification websocket against real sockets on 127.0.0.1. No sleeps: to show a frame was NOT delivered,
// a later frame that IS delivered is awaited and the earlier one must not be in front of it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket } from 'ws';
import { EmulatorClock } from '../clock.js';
import { attachSocketHub, type SocketHub } from '../socket.js';
import { THIRD_PARTY_SCOPES, type UserRecord } from '../types.js';
import { World } from '../world.js';

const PATH = '/home/notifications/feed';

interface Frame {
  raw: string;
  event?: string;
  error?: string;
  data?: { messages?: { content: string }[]; details?: { title: string } } & Record<string, unknown>;
}

/** A websocket client that records frames; `next` waits for the first matching frame after the last match. */
class Client {
  readonly frames: Frame[] = [];
  readonly closed: Promise<number>;
  private cursor = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const raw = String(data);
      this.frames.push({ raw, ...JSON.parse(raw) });
      for (const waiter of [...this.waiters]) waiter();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  next(predicate: (frame: Frame) => boolean, timeoutMs = 2000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = this.cursor; i < this.frames.length; i++) {
          const frame = this.frames[i] as Frame;
          if (!predicate(frame)) continue;
          this.cursor = i + 1;
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(frame);
          return;
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching frame; got:\n${this.frames.map((f) => f.raw).join('\n')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Sends a client event, then waits until the server has read it (a ping is answered in order). */
  async send(event: string): Promise<void> {
    this.ws.send(JSON.stringify({ event }));
    await this.sync();
  }

  sync(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('pong', () => resolve());
      this.ws.ping();
    });
  }

  has(predicate: (frame: Frame) => boolean): boolean {
    return this.frames.some(predicate);
  }
}

const event = (name: string) => (f: Frame) => f.event === name;
const chatMessage = (content: string) => (f: Frame) =>
  f.event === 'chat.message.new' && f.data?.messages?.[0]?.content === content;
const notification = (content: string) => (f: Frame) =>
  f.event === 'new' && f.data?.details?.title === content;

const harnesses: Harness[] = [];

class Harness {
  readonly clock = new EmulatorClock();
  readonly world = new World(this.clock);
  readonly server = http.createServer();
  readonly hub: SocketHub;
  readonly clients: Client[] = [];
  url = '';

  constructor(pingIntervalMs: number) {
    this.hub = attachSocketHub(this.server, this.world, { path: PATH, pingIntervalMs });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  user(username: string): UserRecord {
    return this.world.createUser({ username });
  }

  token(user: UserRecord, scopes = ['*'], verified = true): string {
    return this.world.createToken(user.id, scopes, verified).token;
  }

  connect(auth: { header?: string; query?: string; path?: string }, options: ClientOptions = {}): Client {
    const query = auth.query === undefined ? '' : `?access_token=${encodeURIComponent(auth.query)}`;
    const headers: Record<string, string> = auth.header === undefined ? {} : { Authorization: auth.header };
    const client = new Client(
      new WebSocket(`${this.url}${auth.path ?? PATH}${query}`, { headers, ...options }),
    );
    this.clients.push(client);
    return client;
  }

  /** A connected, ready socket for `user`, optionally with chat started. */
  async ready(user: UserRecord, opts: { scopes?: string[]; chat?: boolean } = {}): Promise<Client> {
    const client = this.connect({ header: `Bearer ${this.token(user, opts.scopes)}` });
    await client.next(event('connection.ready'));
    if (opts.chat ?? true) await client.send('chat.start');
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.ws.terminate();
    await this.hub.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function setup(pingIntervalMs = 60_000): Promise<Harness> {
  const harness = await new Harness(pingIntervalMs).listen();
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

describe('§5.2 authentication', () => {
  it('§5.2 token from the Authorization header → connection.ready, user online', async () => {
    const h = await setup();
    const alice = h.user('alice');
    const client = h.connect({ header: `Bearer ${h.token(alice)}` });
    expect((await client.next(() => true)).raw).toBe('{"event":"connection.ready"}');
    expect(h.world.userJson(alice).is_online).toBe(true);
  });

  it('§5.2 token from ?access_token= when no Authorization header', async () => {
    const h = await setup();
    const client = h.connect({ query: h.token(h.user('alice')) });
    expect((await client.next(() => true)).raw).toBe('{"event":"connection.ready"}');
  });

  it('§5.2 the Authorization header takes precedence over ?access_token=', async () => {
    const h = await setup();
    const alice = h.user('alice');
    const good = h.token(alice);
    const wrongHeader = h.connect({ header: 'Bearer nope', query: good });
    const basicHeader = h.connect({ header: `Basic ${good}`, query: good });
    const rightHeader = h.connect({ header: `Bearer ${good}`, query: 'nope' });
    expect((await wrongHeader.next(() => true)).raw).toBe('{"error":"authentication failed"}');
    expect((await basicHeader.next(() => true)).raw).toBe('{"error":"authentication failed"}');
    expect((await rightHeader.next(() => true)).raw).toBe('{"event":"connection.ready"}');
  });

  it('§5.2 unknown, revoked or missing token → exact error frame, then close', async () => {
    const h = await setup();
    const revoked = h.token(h.user('alice'));
    h.world.revokeToken(revoked);
    for (const auth of [{ header: 'Bearer unknown' }, { query: revoked }, {}]) {
      const client = h.connect(auth);
      await client.closed;
      expect(client.frames.map((f) => f.raw)).toEqual(['{"error":"authentication failed"}']);
    }
  });

  it('§5.2 §1.3 a token needs `*` or chat.read', async () => {
    const h = await setup();
    const alice = h.user('alice');
    const writeOnly = h.connect({ header: `Bearer ${h.token(alice, ['chat.write', 'identify'])}` });
    const readOnly = h.connect({ header: `Bearer ${h.token(alice, ['chat.read'])}` });
    expect((await writeOnly.next(() => true)).raw).toBe('{"error":"authentication failed"}');
    await writeOnly.closed;
    expect((await readOnly.next(() => true)).raw).toBe('{"event":"connection.ready"}');
  });

  it('§5.2 frames sent before connection.ready are lost', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const pm = h.world.createPm(alice, bob);
    const client = h.connect({ header: `Bearer ${h.token(alice)}` });
    client.ws.on('open', () => client.ws.send('{"event":"chat.start"}'));
    await client.next(event('connection.ready'));
    h.world.postMessage(pm, bob, { content: 'one' });
    h.world.postMessage(pm, bob, { content: 'two' });
    await client.next(notification('two'));
    expect(client.has(event('chat.message.new'))).toBe(false);
    await client.send('chat.start');
    h.world.postMessage(pm, bob, { content: 'three' });
    await client.next(chatMessage('three'));
  });
});

describe('§5.3 §5.4 delivery', () => {
  it('§5.3 chat.* only between chat.start and chat.end', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const pm = h.world.createPm(alice, bob);
    const client = await h.ready(alice);
    h.world.postMessage(pm, bob, { content: 'started' });
    await client.next(chatMessage('started'));
    await client.send('chat.end');
    h.world.postMessage(pm, bob, { content: 'ended' });
    h.world.postMessage(pm, bob, { content: 'sentinel' });
    await client.next(notification('sentinel'));
    expect(client.has(chatMessage('ended'))).toBe(false);
    await client.send('chat.start');
    h.world.postMessage(pm, bob, { content: 'restarted' });
    await client.next(chatMessage('restarted'));
  });

  it('§5.6 §3.6 a send notifies as osu! does: PM, ANNOUNCE, TEAM and a PUBLIC @mention, never the sender', async () => {
    const h = await setup();
    const [alice, bob, carol] = [h.user('alice'), h.user('bob'), h.user('carol')];
    const channel = (type: 'ANNOUNCE' | 'TEAM' | 'PUBLIC', name: string) => {
      const created = h.world.createChannel({ name, type });
      for (const user of [alice, bob, carol]) h.world.addUser(created, user);
      return created;
    };
    const [announce, team, lobby] = [
      channel('ANNOUNCE', 'news'),
      channel('TEAM', 'team'),
      channel('PUBLIC', '#osu'),
    ];
    const client = await h.ready(bob);
    const sender = await h.ready(alice);
    h.world.postMessage(h.world.createPm(alice, bob), alice, { content: 'pm' });
    h.world.postMessage(announce, alice, { content: 'announcement' });
    h.world.postMessage(team, alice, { content: 'team talk' });
    h.world.postMessage(lobby, alice, { content: 'hi @bob' });
    const names = await Promise.all(
      ['pm', 'announcement', 'team talk', 'hi @bob'].map(async (title) => {
        const { data } = await client.next(notification(title));
        return [data?.name, data?.object_id, data?.details];
      }),
    );
    const avatar = `${h.world.origin}/_emulator/avatars/${alice.id}.svg`;
    expect(names).toEqual([
      ['channel_message', expect.any(Number), { title: 'pm', type: 'pm', cover_url: avatar }],
      [
        'channel_announcement',
        announce.id,
        { title: 'announcement', type: 'announce', cover_url: avatar, channel_id: announce.id, name: 'news' },
      ],
      ['channel_team', team.id, { title: 'team talk', type: 'team', cover_url: avatar, name: 'team' }],
      [
        'channel_mention',
        lobby.id,
        { title: 'hi @bob', type: 'public', cover_url: avatar, message_id: expect.any(Number), name: '#osu' },
      ],
    ]);
    await sender.sync();
    expect(sender.has(event('new'))).toBe(false);
  });

  it('§5.4 a token without `*` gets chat.* but never `new`', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const pm = h.world.createPm(alice, bob);
    const thirdParty = await h.ready(alice, { scopes: [...THIRD_PARTY_SCOPES] });
    const lazer = await h.ready(alice);
    h.world.postMessage(pm, bob, { content: 'hi' });
    await lazer.next(notification('hi'));
    await lazer.next(chatMessage('hi'));
    await thirdParty.next(chatMessage('hi'));
    expect(thirdParty.has(event('new'))).toBe(false);
  });

  it('§5.3 chat.message.new frame is Laravel’s broadcaster format', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const pm = h.world.createPm(alice, bob);
    const client = await h.ready(alice);
    h.world.postMessage(pm, bob, { content: 'hello' });
    const { raw } = await client.next(chatMessage('hello'));
    const json = JSON.parse(raw);
    expect(Object.keys(json)).toEqual(['event', 'data', 'socket']);
    expect(Object.keys(json.data)).toEqual(['messages', 'users', 'socket']);
    expect(raw).toBe(JSON.stringify(json));
    expect(raw.startsWith('{"event":"chat.message.new","data":{"messages":[{')).toBe(true);
    expect(raw.endsWith(',"socket":null},"socket":null}')).toBe(true);
    expect(json.data.messages).toHaveLength(1);
    expect(Object.keys(json.data.messages[0])).toEqual([
      'message_id',
      'channel_id',
      'sender_id',
      'content',
      'is_action',
      'timestamp',
      'type',
    ]);
    expect(json.data.messages[0]).toMatchObject({ channel_id: pm.id, sender_id: bob.id, content: 'hello' });
    expect(json.data.users.map((u: { id: number }) => u.id)).toEqual([bob.id]);
  });

  it('§5.5 §6 PUBLIC messages reach only users who acked within 60 s; PMs reach every member', async () => {
    const h = await setup();
    const [alice, bob, carol] = [h.user('alice'), h.user('bob'), h.user('carol')];
    const osu = h.world.createChannel({ name: '#osu', type: 'PUBLIC' });
    for (const user of [alice, bob, carol]) h.world.addUser(osu, user);
    const a = await h.ready(alice);
    const others = [await h.ready(bob), await h.ready(carol), await h.ready(carol)];
    h.world.postMessage(osu, carol, { content: 'fresh' });
    await Promise.all([a, ...others].map((client) => client.next(chatMessage('fresh'))));

    h.clock.advance(61_000);
    const aliceActor = h.world.authenticate(h.token(alice));
    if (aliceActor) h.world.ack(aliceActor, { since: null, historySince: null });
    h.world.postMessage(osu, carol, { content: 'stale' });
    const pm = h.world.createPm(bob, carol);
    h.world.postMessage(pm, carol, { content: 'private' });
    await a.next(chatMessage('stale'));
    // bob timed out; carol (the sender) did not ack either, yet both her sockets get the PM echo.
    for (const client of others) {
      await client.next(chatMessage('private'));
      expect(client.has(chatMessage('stale'))).toBe(false);
    }
  });

  it('§6.3 a user who left a PUBLIC channel still receives it for up to 60 s', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const osu = h.world.createChannel({ name: '#osu', type: 'PUBLIC' });
    h.world.addUser(osu, alice);
    h.world.addUser(osu, bob);
    const client = await h.ready(alice);
    h.world.removeUser(osu, alice);
    await client.next(event('chat.channel.part'));
    h.world.postMessage(osu, bob, { content: 'after leaving' });
    await client.next(chatMessage('after leaving'));
    h.clock.advance(61_000);
    h.world.postMessage(osu, bob, { content: 'too late' });
    h.world.postMessage(h.world.createPm(alice, bob), bob, { content: 'sentinel' });
    await client.next(chatMessage('sentinel'));
    expect(client.has(chatMessage('too late'))).toBe(false);
  });

  it('§5.4 revoking a token sends logout and closes its sockets only', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const revoked = h.token(alice);
    const doomed = h.connect({ header: `Bearer ${revoked}` });
    await doomed.next(event('connection.ready'));
    const survivor = await h.ready(alice);
    h.world.revokeToken(revoked);
    expect(await doomed.closed).toBe(1005);
    expect(doomed.frames.map((f) => f.raw)).toEqual(['{"event":"connection.ready"}', '{"event":"logout"}']);
    h.world.postMessage(h.world.createPm(alice, bob), bob, { content: 'still here' });
    await survivor.next(chatMessage('still here'));
    expect(survivor.has(event('logout'))).toBe(false);
  });

  it('§5.4 an unverified token receives nothing until verified', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const pm = h.world.createPm(alice, bob);
    const token = h.token(alice, ['*'], false);
    const client = h.connect({ header: `Bearer ${token}` });
    await client.next(event('connection.ready'));
    await client.send('chat.start');
    h.world.postMessage(pm, bob, { content: 'hidden' });
    h.world.verifyToken(token);
    await client.next(event('verified'));
    expect(client.frames.map((f) => f.raw)).toEqual(['{"event":"connection.ready"}', '{"event":"verified"}']);
    h.world.postMessage(pm, bob, { content: 'visible' });
    await client.next(notification('visible'));
    await client.next(chatMessage('visible'));
  });

  it('§5.3 malformed client frames are ignored and a broken frame ends only that socket', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const pm = h.world.createPm(alice, bob);
    const client = await h.ready(alice, { chat: false });
    for (const text of [
      'not json',
      '',
      'null',
      '[]',
      '"chat.start"',
      '{"event":"chat.begin"}',
      '{"event":7}',
    ]) {
      client.ws.send(text);
    }
    client.ws.send(Buffer.from('{"event":"chat.start"}'), { binary: true });
    await client.sync();
    h.world.postMessage(pm, bob, { content: 'one' });
    h.world.postMessage(pm, bob, { content: 'two' });
    await client.next(notification('two'));
    expect(client.has(event('chat.message.new'))).toBe(false);

    const broken = await h.ready(bob);
    broken.ws.send(Buffer.from([0xff, 0xfe]), { binary: false });
    await broken.closed;
    await client.send('chat.start');
    h.world.postMessage(pm, bob, { content: 'three' });
    await client.next(chatMessage('three'));
    expect(h.hub.size).toBe(1);
  });
});

describe('§5.3 keepalive and the hub', () => {
  it('§5.3 a client that does not answer pings is terminated; others stay open', async () => {
    const h = await setup(50);
    const alice = h.user('alice');
    const silent = h.connect({ header: `Bearer ${h.token(alice)}` }, { autoPong: false });
    const healthy = h.connect({ header: `Bearer ${h.token(alice)}` });
    let pings = 0;
    const fivePings = new Promise<void>((resolve) => healthy.ws.on('ping', () => ++pings === 5 && resolve()));
    await silent.next(event('connection.ready'));
    expect(await silent.closed).toBe(1006);
    await fivePings;
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    await healthy.next(event('connection.ready'));
  });

  it('drop(userId) terminates that user’s sockets; drop(null) all', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const clients = await Promise.all([alice, alice, bob].map((u) => h.ready(u, { chat: false })));
    expect(h.hub.size).toBe(3);
    expect(h.hub.drop(alice.id)).toBe(2);
    expect(h.hub.size).toBe(1);
    expect(h.world.userJson(alice).is_online).toBe(false);
    expect(await clients[0]?.closed).toBe(1006);
    expect(await clients[1]?.closed).toBe(1006);
    expect(clients[2]?.ws.readyState).toBe(WebSocket.OPEN);
    expect(h.hub.drop(null)).toBe(1);
    expect(await clients[2]?.closed).toBe(1006);
    expect(h.hub.drop(null)).toBe(0);
  });

  it('§5.1 an upgrade on another path is refused with 404', async () => {
    const h = await setup();
    const client = h.connect({ path: '/elsewhere', query: h.token(h.user('alice')) });
    const error = await new Promise<Error>((resolve) => client.ws.on('error', resolve));
    expect(error.message).toContain('404');
  });

  it('close() terminates every socket and stops relaying', async () => {
    const h = await setup();
    const [alice, bob] = [h.user('alice'), h.user('bob')];
    const clients = await Promise.all([h.ready(alice), h.ready(bob)]);
    await h.hub.close();
    await Promise.all(clients.map((client) => client.closed));
    expect(h.hub.size).toBe(0);
    expect(h.world.userJson(alice).is_online).toBe(false);
    expect(() => h.world.postMessage(h.world.createPm(alice, bob), bob, { content: 'x' })).not.toThrow();
    expect(h.server.listenerCount('upgrade')).toBe(0);
  });
});
