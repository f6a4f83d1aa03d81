// @osu-chat/emulator: a faithful local osu! chat server (HTTP API + notification websocket + control API).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, EmulatorClock } from './clock.js';
import { EmulatorControl } from './control.js';
import { FaultTable } from './faults.js';
import { ApiRoutes } from './http.js';
import { errorReply, readRequest, sendReply } from './request.js';
import { attachSocketHub } from './socket.js';
import type { EmulatorConfig } from './types.js';
import { World } from './world.js';

export type { Clock } from './clock.js';
export { EmulatorClock } from './clock.js';
export { EmulatorControl } from './control.js';
export type { Fault } from './faults.js';
export type { SeedName } from './seed.js';
export {
  type ChannelType,
  DEFAULT_CONFIG,
  type EmulatorConfig,
  type Scope,
  THIRD_PARTY_SCOPES,
  type UserFlags,
} from './types.js';
export { World } from './world.js';

/** Where the notification websocket listens (osu-web's default `NOTIFICATION_ENDPOINT`). */
export const SOCKET_PATH = '/home/notifications/feed';

export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; `127.0.0.1` by default. */
  host?: string;
  /** Initial data: `empty` (default) or `demo` (channels, users, history, a PM, an announcement). */
  seed?: import('./seed.js').SeedName;
  /** Base clock the emulator's movable clock runs on; real time by default. */
  clock?: Clock;
  /** Overrides of osu!'s limits (throttle, length, backlog, activity timeout). */
  limits?: Partial<EmulatorConfig>;
  /** Websocket ping interval in ms (real time); 20 s as osu-notification-server. */
  pingIntervalMs?: number;
  /** Called after each HTTP response is sent (the CLI's `--verbose` log). */
  onRequest?: (entry: { method: string; url: string; status: number; ms: number }) => void;
}

/** A running emulator: its URLs, the control operations, and `close()`. */
export interface Emulator extends EmulatorControl {
  /** Origin serving `/api/v2/…` and `/_emulator/…`, e.g. `http://127.0.0.1:7270`. */
  readonly apiUrl: string;
  /** The notification websocket URL (also returned by `GET /api/v2/notifications`). */
  readonly socketUrl: string;
  readonly world: World;
  readonly clock: EmulatorClock;
  /** Closes every socket and the server. */
  close(): Promise<void>;
}

/**
 * Starts an emulator.
 *
 * @example
 * ```ts
 * const emulator = await createEmulator({ seed: 'demo' });
 * const { user, token } = emulator.createUser({ username: 'peppy' });
 * await fetch(`${emulator.apiUrl}/api/v2/chat/channels`, { headers: { Authorization: `Bearer ${token}` } });
 * await emulator.close();
 * ```
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = new EmulatorClock(options.clock);
  const world = new World(clock);
  const faults = new FaultTable();
  const host = options.host ?? '127.0.0.1';
  let origin = '';
  const socketUrl = () => `${origin.replace(/^http/, 'ws')}${SOCKET_PATH}`;

  const server = createServer();
  const sockets = attachSocketHub(server, world, {
    path: SOCKET_PATH,
    pingIntervalMs: options.pingIntervalMs ?? 20_000,
  });
  const control = new EmulatorControl({ world, clock, faults, sockets, limits: options.limits ?? {} });
  const api = new ApiRoutes(world, clock, faults, socketUrl);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { onRequest } = options;
    if (onRequest) {
      const started = performance.now();
      res.once('finish', () =>
        onRequest({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          status: res.statusCode,
          ms: performance.now() - started,
        }),
      );
    }
    handle(req, res).catch((error: unknown) => sendReply(req, res, errorReply(error)));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') return sendReply(req, res, { status: 204 });
    const request = await readRequest(req);
    if (request.path.startsWith('/api/v2/')) return sendReply(req, res, await api.handle(request));
    if (request.path.startsWith('/_emulator/')) {
      const reply = await control.handle(request);
      if (reply) return sendReply(req, res, reply);
    }
    sendReply(req, res, { status: 404, body: { error: null } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  world.origin = origin;
  control.reset({ seed: options.seed ?? 'empty' });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      control.stopTraffic();
      await sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })();
    return closing;
  };
  return Object.assign(control, { apiUrl: origin, socketUrl: socketUrl(), clock, close });
}
