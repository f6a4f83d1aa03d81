// The osu! API over ofetch. Every failure leaves as a ChatError; tokens never appear in errors or logs.
import { type $Fetch, createFetch, FetchError } from 'ofetch';
import { causeProvesNotSent } from '#platform';
import { ChatError, type ChatErrorKind, redact } from '../errors.js';
import { isObject } from './wire.js';

/** One finished HTTP call, for logs and devtools (no headers, so no token); null status: no answer. */
export interface HttpLogEntry {
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
}

export interface HttpOptions {
  /** Origin of the osu! API; requests go to `${apiUrl}/api/v2/…`. */
  apiUrl: string;
  fetch?: typeof globalThis.fetch | undefined;
  /** Current token; called for every request (the token manager caches it). */
  getToken: () => Promise<string>;
  /** Called after a 401; resolves to a fresh token, or rejects when there is none. */
  refreshToken: () => Promise<string>;
  timeoutMs: number;
  onLog?: ((entry: HttpLogEntry) => void) | undefined;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | readonly (string | number)[] | null | undefined>;
  body?: Record<string, unknown>;
  signal?: AbortSignal | undefined;
  /** Overrides the default timeout. */
  timeoutMs?: number;
  /**
   * Whether a 401 asks the token provider for a fresh token and tries once more (default true). The session
   * passes false for `/me`: its machine owns the one refresh per connection, so the provider is not asked twice.
   */
  refreshOnAuth?: boolean;
}

/** The HTTP side of the osu! chat API. */
export class ChatHttp {
  readonly #options: HttpOptions;
  readonly #fetch: $Fetch;

  constructor(options: HttpOptions) {
    this.#options = options;
    // The global fetch is looked up on every call (a later stub or polyfill is used), called on globalThis.
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#fetch = createFetch({ fetch: fetchImpl as typeof globalThis.fetch });
  }

  /**
   * Makes one request. A 401 asks the token provider once for a fresh token and tries again; a second 401
   * throws `ChatError('auth')`.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await this.#attempt<T>(method, path, options, await this.#options.getToken());
    } catch (error) {
      // Only a 401 answer carries status 401 (always of kind `auth`, see `describeStatus`).
      const refused = error instanceof ChatError && error.status === 401;
      if (!refused || options.refreshOnAuth === false) throw error;
      const token = await this.#options.refreshToken().catch((cause: unknown) => {
        throw new ChatError('auth', 'The token was refused and no new token could be had', {
          status: 401,
          cause,
        });
      });
      return this.#attempt<T>(method, path, options, token);
    }
  }

  async #attempt<T>(method: string, path: string, options: RequestOptions, token: string): Promise<T> {
    const started = Date.now();
    // Our own timer and controller rather than ofetch's `timeout`: that one is off when a signal is passed,
    // and stops at the response headers, while this one also covers reading the body.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs ?? this.#options.timeoutMs);
    const abort = () => controller.abort();
    // No `once`: a signal aborts at most once, and `finally` removes the listener.
    options.signal?.addEventListener('abort', abort);
    let error: ChatError | null = null;
    try {
      return await this.#fetch<T>(`/api/v2${path}`, {
        baseURL: this.#options.apiUrl,
        method,
        query: options.query && compactQuery(options.query),
        body: options.body,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        signal: controller.signal,
        retry: 0,
        responseType: 'json',
      });
    } catch (cause) {
      error = toChatError(cause, { method, path, timedOut, cancelled: options.signal?.aborted ?? false });
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      const status = error ? (error.status ?? null) : 200;
      this.#options.onLog?.({ method, path, status, durationMs: Date.now() - started });
    }
  }
}

/** ofetch serialises arrays as repeated keys; osu! wants `includes[]=a&includes[]=b`. */
function compactQuery(query: NonNullable<RequestOptions['query']>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value != null) result[Array.isArray(value) ? `${key}[]` : key] = value;
  }
  return result;
}

/** Wraps an ofetch/fetch failure. Exported for the socket and tests. */
export function toChatError(
  rawCause: unknown,
  context: { method: string; path: string; timedOut?: boolean; cancelled?: boolean },
): ChatError {
  const what = `${context.method} ${context.path}`;
  if (rawCause instanceof ChatError) return rawCause;
  // ofetch errors carry the request options (and so the Authorization header): keep only a safe summary.
  const cause = summarizeCause(rawCause);
  if (context.cancelled) return new ChatError('closed', `${what} was cancelled`, { cause });
  if (context.timedOut) return new ChatError('network', `${what} timed out`, { cause });
  if (rawCause instanceof FetchError && rawCause.response) {
    const { status, headers } = rawCause.response;
    const data: unknown = rawCause.data;
    const serverMessage = isObject(data) && typeof data.error === 'string' ? data.error : null;
    const [kind, outcome] = describeStatus(status, serverMessage);
    const retryAfter = Number(headers.get('retry-after'));
    return new ChatError(kind, `${what} ${outcome}${serverMessage ? `: ${serverMessage}` : ''}`, {
      status,
      serverMessage,
      // Only a 429 says how long to wait.
      retryAfter: status === 429 && Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      cause,
    });
  }
  if (rawCause instanceof FetchError && /JSON|parse/i.test(String(rawCause.message))) {
    return new ChatError('protocol', `${what} returned a body that is not JSON`, { cause });
  }
  return new ChatError('network', `${what} could not reach the server`, { cause });
}

/** The kind of an error status and how its message words it. */
function describeStatus(status: number, serverMessage: string | null): [ChatErrorKind, string] {
  if (status === 401) return ['auth', 'was refused (401)'];
  if (status === 429) return ['rateLimit', 'was rate limited (429)'];
  if (status === 403 && serverMessage?.includes('scope')) return ['auth', 'needs a scope the token lacks'];
  return ['http', `failed with ${status}`];
}

/** A plain `{name, message, code, cause}` chain without request options, headers or bodies. */
export function summarizeCause(cause: unknown, depth = 0): unknown {
  if (!(cause instanceof Error)) return cause;
  if (depth > 4) return undefined;
  const summary: Error & { code?: string } = new Error(redact(cause.message));
  summary.name = cause.name;
  const { code, cause: inner } = cause as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') summary.code = code;
  const innerSummary = summarizeCause(inner, depth + 1);
  if (innerSummary !== undefined) summary.cause = innerSummary;
  return summary;
}

/**
 * True only when the request surely never reached the server (so retrying it cannot double-post): a 429/401
 * answer, or in Node a refused connection or failed DNS lookup (see platform/node.ts `causeProvesNotSent`).
 * Timeouts and resets are "unknown fate" and answer false.
 */
export function definitelyNotSent(error: ChatError): boolean {
  if (error.kind === 'rateLimit' || error.kind === 'auth') return true;
  // Undefined in browser builds, where this folds to `false`.
  return causeProvesNotSent ? error.kind === 'network' && causeProvesNotSent(error.cause) : false;
}
