// The notification websocket (§5): what osu-notification-server does between Redis and a user's sockets.
// The world plays Redis: its `publish`, `logout` and `verified` events are relayed here, filtered per socket.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { TokenRecord, WorldEvent } from './types.js';
import type { World } from './world.js';

/** Where the hub listens and how often it checks that clients are still there. */
export interface SocketHubOptions {
  /** The upgrade path (osu!'s default is `/home/notifications/feed`, §5.1); other paths get a 404. */
  path: string;
  /** Keepalive ping period (§5.3). Defaults to osu!'s 20 s. */
  pingIntervalMs?: number;
}

/** The running websocket endpoint, as returned by {@link attachSocketHub}. */
export interface SocketHub {
  /** Abruptly terminates sockets (all, or one user's) as a network failure would; returns how many. */
  drop(userId: number | null): number;
  /** Number of open sockets (authenticated or not). Terminated sockets stop counting at once. */
  readonly size: number;
  close(): Promise<void>;
}

const DEFAULT_PING_INTERVAL_MS = 20_000;
/** Upper bound of the simulated token lookup, for clients that never answer the first ping. */
const AUTH_FALLBACK_MS = 200;
const READY = JSON.stringify({ event: 'connection.ready' });
const LOGOUT = JSON.stringify({ event: 'logout' });
const VERIFIED = JSON.stringify({ event: 'verified' });
const AUTH_FAILED = JSON.stringify({ error: 'authentication failed' });
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

interface Peer {
  readonly ws: WebSocket;
  /** Until the (simulated) token lookup has answered, successfully or not. */
  pending: boolean;
  /** The token the socket authenticated with; null until then. The world mutates `verified` in place. */
  token: TokenRecord | null;
  wildcard: boolean;
  /** Between the client's `chat.start` and `chat.end`. */
  chatActive: boolean;
  /** A pong arrived since the previous ping. */
  alive: boolean;
  /** The authentication fallback before auth, the keepalive interval after. */
  timer: NodeJS.Timeout | undefined;
}

const ignore = (): void => {};

/**
 * Serves osu!'s notification websocket on `server` for `options.path`, relaying `world` events as
 * osu-notification-server relays Redis messages (authentication, delivery filter, keepalive of §5).
 *
 * @example
 * const server = http.createServer();
 * const hub = attachSocketHub(server, world, { path: '/home/notifications/feed' });
 * server.listen(7270);
 * // later: hub.drop(userId) to simulate a network failure, await hub.close() to shut down
 */
export function attachSocketHub(server: Server, world: World, options: SocketHubOptions): SocketHub {
  return new NotificationHub(server, world, options.path, options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
}

class NotificationHub implements SocketHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly peers = new Map<WebSocket, Peer>();
  private readonly byUser = new Map<number, Set<Peer>>();
  private lastFrame: { event: string; data: object; frame: Buffer } | undefined;
  private readonly byToken = new Map<number, Set<Peer>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly server: Server,
    private readonly world: World,
    private readonly path: string,
    private readonly pingIntervalMs: number,
  ) {
    server.on('upgrade', this.onUpgrade);
    this.unsubscribe = world.subscribe(this.onWorldEvent);
  }

  get size(): number {
    return this.peers.size;
  }

  drop(userId: number | null): number {
    const targets = userId === null ? [...this.peers.values()] : [...(this.byUser.get(userId) ?? [])];
    for (const peer of targets) this.kill(peer);
    return targets.length;
  }

  close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    this.unsubscribe();
    for (const peer of [...this.peers.values()]) this.kill(peer);
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', ignore);
    try {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== this.path) {
        socket.once('finish', () => socket.destroy());
        socket.end(NOT_FOUND);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
    } catch {
      socket.destroy();
    }
  };

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const peer: Peer = {
      ws,
      pending: true,
      token: null,
      wildcard: false,
      chatActive: false,
      alive: true,
      timer: undefined,
    };
    this.peers.set(ws, peer);
    const token = bearerToken(req);
    ws.on('error', () => this.kill(peer));
    ws.on('close', () => this.release(peer));
    // osu! looks the token up in its database before it listens to the client. The lookup "returns" when
    // the pong to this ping does: anything the client sent on open precedes that pong on the wire, so it
    // is deterministically lost, while whatever it sends after `connection.ready` is heard (§5.2). A bare
    // setImmediate would not do: a local client's first frame arrives after it.
    ws.on('pong', () => {
      peer.alive = true;
      this.authenticate(peer, token);
    });
    ws.ping(ignore);
    peer.timer = setTimeout(() => this.authenticate(peer, token), AUTH_FALLBACK_MS).unref();
  }

  private authenticate(peer: Peer, token: string | undefined): void {
    if (!peer.pending || !this.peers.has(peer.ws)) return;
    peer.pending = false;
    clearTimeout(peer.timer);
    peer.timer = undefined;
    const record = token === undefined ? undefined : this.world.authenticate(token)?.token;
    if (!record || !(record.scopes.includes('*') || record.scopes.includes('chat.read'))) {
      peer.ws.send(AUTH_FAILED, ignore);
      peer.ws.close();
      return;
    }
    peer.token = record;
    peer.wildcard = record.scopes.includes('*');
    peer.alive = true;
    addTo(this.byUser, record.userId, peer);
    addTo(this.byToken, record.id, peer);
    this.world.setOnline(record.userId, 1);
    peer.ws.on('message', (data, isBinary) => onClientFrame(peer, data, isBinary));
    peer.ws.send(READY, ignore);
    peer.timer = setInterval(() => this.heartbeat(peer), this.pingIntervalMs).unref();
  }

  private heartbeat(peer: Peer): void {
    if (!peer.alive) {
      this.kill(peer);
      return;
    }
    peer.alive = false;
    peer.ws.ping(ignore);
  }

  private readonly onWorldEvent = (event: WorldEvent): void => {
    try {
      if (event.type === 'publish') this.deliver(event.userId, event.event, event.data);
      else if (event.type === 'logout') {
        for (const { ws } of this.byToken.get(event.tokenId) ?? []) ws.send(LOGOUT, () => ws.close());
      } else {
        for (const { ws } of this.byToken.get(event.tokenId) ?? []) ws.send(VERIFIED, ignore);
      }
    } catch {
      // A broken socket must not break the world's send path; its own error/close handlers clean up.
    }
  };

  /** The delivery filter of §5.4; the frame is serialized once, and only if some socket wants it. */
  private deliver(userId: number, event: string, data: unknown): void {
    const peers = this.byUser.get(userId);
    if (!peers || typeof data !== 'object' || data === null) return;
    const isChat = event.startsWith('chat.');
    for (const peer of peers) {
      if (!peer.token?.verified) continue;
      if (isChat ? !peer.chatActive : !peer.wildcard) continue;
      peer.ws.send(this.frameOf(event, data), { binary: false }, ignore);
    }
  }

  /**
   * The serialized frame of a publish. A broadcast publishes the same `data` object once per recipient, so the
   * last frame is reused while the event and data are the same: one serialization per message, not per user.
   */
  private frameOf(event: string, data: object): Buffer {
    const last = this.lastFrame;
    if (last && last.event === event && last.data === data) return last.frame;
    // Laravel's Redis broadcaster merges `socket` into the payload and also sets it beside `data`.
    const frame = Buffer.from(JSON.stringify({ event, data: { ...data, socket: null }, socket: null }));
    this.lastFrame = { event, data, frame };
    return frame;
  }

  /** Ends a socket at once, as a network failure would; it stops counting immediately. */
  private kill(peer: Peer): void {
    this.release(peer);
    peer.ws.terminate();
  }

  /** Forgets a socket; runs once per socket whichever way it ends. */
  private release(peer: Peer): void {
    if (!this.peers.delete(peer.ws)) return;
    clearTimeout(peer.timer);
    clearInterval(peer.timer);
    if (peer.token === null) return;
    removeFrom(this.byUser, peer.token.userId, peer);
    removeFrom(this.byToken, peer.token.id, peer);
    this.world.setOnline(peer.token.userId, -1);
  }
}

/** §5.2: `Authorization: Bearer …`, or `?access_token=` only when there is no Authorization header. */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) return /^Bearer (.+)$/.exec(header)?.[1];
  // A repeated parameter parses to an array in the notification server, which it ignores.
  const values = new URL(req.url ?? '/', 'http://localhost').searchParams.getAll('access_token');
  return values.length === 1 ? values[0] : undefined;
}

/** §5.3: only a JSON text frame `{"event":"chat.start"|"chat.end"}` means anything; the rest is ignored. */
function onClientFrame(peer: Peer, data: RawData, isBinary: boolean): void {
  if (isBinary || !Buffer.isBuffer(data)) return;
  let message: unknown;
  try {
    message = JSON.parse(data.toString('utf8'));
  } catch {
    return;
  }
  if (typeof message !== 'object' || message === null) return;
  const event = (message as { event?: unknown }).event;
  if (event === 'chat.start') peer.chatActive = true;
  else if (event === 'chat.end') peer.chatActive = false;
}

function addTo(index: Map<number, Set<Peer>>, key: number, peer: Peer): void {
  const set = index.get(key);
  if (set) set.add(peer);
  else index.set(key, new Set([peer]));
}

function removeFrom(index: Map<number, Set<Peer>>, key: number, peer: Peer): void {
  const set = index.get(key);
  if (set?.delete(peer) && set.size === 0) index.delete(key);
}
