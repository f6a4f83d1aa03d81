// The osu! API under /api/v2 (§1, §2): middleware in osu-web's order, then the route table.
import type { Clock } from './clock.js';
import { fail, HttpError } from './errors.js';
import type { FaultTable } from './faults.js';
import {
  boolParam,
  intArrayParam,
  intParam,
  isPlainObject,
  type Params,
  stringArrayParam,
  stringParam,
} from './params.js';
import type { ParsedRequest, Reply } from './request.js';
import type { Actor, World } from './world.js';

/** `*` = a lazer-only route (no scoped middleware, §1.3). */
type RouteScope = '*' | 'chat.read' | 'chat.write' | 'chat.write_manage' | 'identify';

interface Route {
  method: string;
  pattern: RegExp;
  scope: RouteScope;
  handle(actor: Actor, params: Params, path: string[]): unknown;
}

const SESSION_VERIFICATION = { method: 'mail' };

/** The osu! API: route table plus the middleware of §1 (throttle, auth, verification, scopes). */
export class ApiRoutes {
  private readonly routes: Route[];
  /** token → [window start, count] for the global API throttle (§1.7). Keyed by the token string, not its
   * id: ids restart after a control-API reset, and a new token must not inherit an old one's count. */
  private readonly throttle = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly world: World,
    private readonly clock: Clock,
    private readonly faults: FaultTable,
    readonly socketUrl: () => string,
  ) {
    this.routes = buildRoutes(world, socketUrl);
  }

  /** Handles one `/api/v2/…` request. Faults apply first, so failures can be injected on any route. */
  async handle(request: ParsedRequest): Promise<Reply> {
    const fault = this.faults.take(request.method, request.path);
    if (fault?.delay_ms) await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));
    if (fault?.status !== undefined) return { status: fault.status, body: fault.body ?? { error: null } };

    let rate: Record<string, string> | undefined;
    try {
      // Unknown routes are 404 before any middleware runs, as in Laravel.
      const { route: found, path } = this.match(request) ?? fail(404);
      const actor = this.authenticate(request);
      if (!actor) throw new HttpError(401, { authentication: 'basic' });
      rate = this.consumeApiThrottle(actor);
      if (['POST', 'PUT', 'DELETE'].includes(request.method) && !actor.token.verified) {
        throw new HttpError(401, SESSION_VERIFICATION);
      }
      const scopes = actor.token.scopes;
      if (found.scope === '*' && !scopes.includes('*')) fail(403, 'Invalid scope(s) provided.');
      if (!scopes.includes('*') && !scopes.includes(found.scope)) fail(403, 'A required scope is missing.');
      const body = found.handle(actor, request.params, path);
      return { status: body === undefined ? 204 : 200, body, headers: rate };
    } catch (error) {
      if (error instanceof HttpError) {
        return { status: error.status, body: error.body, headers: { ...rate, ...error.headers } };
      }
      throw error;
    }
  }

  private authenticate(request: ParsedRequest): Actor | undefined {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? this.world.authenticate(match[1] as string) : undefined;
  }

  private match(request: ParsedRequest): { route: Route; path: string[] } | undefined {
    const subPath = request.path.replace(/^\/api\/v2/, '') || '/';
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(subPath);
      if (!m) continue;
      pathMatched = true;
      // Laravel's `Route::get` also answers HEAD (Node then sends the headers without the body).
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      if (route.method === method) return { route, path: m.slice(1) };
    }
    if (pathMatched) fail(405);
    return undefined;
  }

  /** 1200 requests per minute per token; over it, 429 with Laravel's headers. */
  private consumeApiThrottle(actor: Actor): Record<string, string> {
    const limit = this.world.config.api_throttle_per_minute;
    const now = this.clock.now();
    let entry = this.throttle.get(actor.token.token);
    if (!entry || now - entry.start >= 60_000) {
      entry = { start: now, count: 0 };
      this.throttle.set(actor.token.token, entry);
    }
    entry.count += 1;
    const remaining = Math.max(0, limit - entry.count);
    const headers = { 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': String(remaining) };
    if (entry.count > limit) {
      const retryAfter = Math.ceil((entry.start + 60_000 - now) / 1000);
      throw new HttpError(
        429,
        { error: 'Too Many Attempts.' },
        { ...headers, 'Retry-After': String(retryAfter) },
      );
    }
    return headers;
  }
}

function route(method: string, path: string, scope: RouteScope, handle: Route['handle']): Route {
  const source = path.replace(/\{[a-z]+\}/g, '([^/]+)');
  return { method, pattern: new RegExp(`^${source}$`), scope, handle };
}

const segment = (path: string[], index: number) => intParam(path[index] ?? null);

function buildRoutes(world: World, socketUrl: () => string): Route[] {
  const since = (p: Params) => ({ since: intParam(p.since), historySince: intParam(p.history_since) });
  const outgoing = (p: Params) => ({
    message: stringParam(p.message),
    isAction: boolParam(p.is_action) ?? false,
    uuid: stringParam(p.uuid),
  });
  return [
    route('GET', '/me', 'identify', (actor) => ({
      ...world.userJson(actor.user),
      is_restricted: actor.user.restricted,
      session_verified: actor.token.verified,
    })),
    route('GET', '/notifications', '*', () => ({
      has_more: false,
      notifications: [],
      unread_count: 0,
      notification_endpoint: socketUrl(),
    })),
    route('POST', '/chat/ack', 'chat.read', (actor, p) => world.ack(actor, since(p))),
    route('POST', '/chat/new', 'chat.write', (actor, p) =>
      world.newConversation(actor, { targetId: intParam(p.target_id), ...outgoing(p) }),
    ),
    route('GET', '/chat/updates', '*', (actor, p) =>
      world.updates(actor, {
        ...since(p),
        includes:
          Array.isArray(p.includes) || isPlainObject(p.includes) ? stringArrayParam(p.includes) : null,
      }),
    ),
    route('GET', '/chat/presence', '*', (actor) => world.presence(actor)),
    route('GET', '/chat/channels', 'chat.read', () => world.publicChannels()),
    route('POST', '/chat/channels', 'chat.write_manage', (actor, p) => {
      const channel = isPlainObject(p.channel)
        ? { name: stringParam(p.channel.name), description: stringParam(p.channel.description) }
        : null;
      return world.storeChannel(actor, {
        type: stringParam(p.type),
        targetId: intParam(p.target_id),
        targetIds: intArrayParam(p.target_ids),
        channel,
        message: stringParam(p.message),
        uuid: stringParam(p.uuid),
      });
    }),
    route('GET', '/chat/channels/{channel}', 'chat.read', (actor, _p, path) =>
      world.showChannel(actor, segment(path, 0)),
    ),
    route('PUT', '/chat/channels/{channel}/users/{user}', 'chat.write_manage', (actor, _p, path) =>
      world.join(actor, segment(path, 0), segment(path, 1)),
    ),
    route('DELETE', '/chat/channels/{channel}/users/{user}', 'chat.write_manage', (actor, _p, path) =>
      world.part(actor, segment(path, 0), segment(path, 1)),
    ),
    route('PUT', '/chat/channels/{channel}/mark-as-read/{message}', 'chat.read', (actor, _p, path) =>
      world.markAsRead(actor, segment(path, 0), segment(path, 1)),
    ),
    route('GET', '/chat/channels/{channel}/messages', 'chat.read', (actor, p, path) =>
      world.history(actor, segment(path, 0), {
        limit: intParam(p.limit),
        since: intParam(p.since),
        until: intParam(p.until),
        returnObject: boolParam(p.return_object) ?? false,
      }),
    ),
    route('POST', '/chat/channels/{channel}/messages', 'chat.write', (actor, p, path) =>
      world.send(actor, segment(path, 0), outgoing(p)),
    ),
  ];
}
