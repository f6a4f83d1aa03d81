// The osu! API over ofetch. Every failure leaves as a ChatError; tokens never appear in errors or logs.
import { type $Fetch, createFetch, FetchError } from 'ofetch';
import { ChatError, redact } from '../errors.js';

/** One finished HTTP call, for logs and devtools (no headers, so no token). */
export interface HttpLogEntry {
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
  error: ChatError | null;
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
  private readonly $fetch: $Fetch;

  constructor(private readonly options: HttpOptions) {
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.$fetch = createFetch({
      fetch: fetchImpl as typeof globalThis.fetch,
      Headers: globalThis.Headers,
      AbortController: globalThis.AbortController,
    });
  }

  /**
   * Makes one request. A 401 asks the token provider once for a fresh token and tries again; a second 401
   * throws `ChatError('auth')`.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await this.attempt<T>(method, path, options, await this.options.getToken());
    } catch (error) {
      if (!(error instanceof ChatError) || error.kind !== 'auth' || error.status !== 401) throw error;
      if (options.refreshOnAuth === false) throw error;
      const token = await this.options.refreshToken().catch((cause: unknown) => {
        throw new ChatError('auth', 'The token was refused and no new token could be had', {
          status: 401,
          cause,
        });
      });
      return this.attempt<T>(method, path, options, token);
    }
  }

  private async attempt<T>(method: string, path: string, options: RequestOptions, token: string): Promise<T> {
    const started = Date.now();
    const controller = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const abort = () => controller.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      const result = await this.$fetch<T>(`/api/v2${path}`, {
        baseURL: this.options.apiUrl,
        method,
        query: options.query ? compactQuery(options.query) : undefined,
        body: options.body,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        signal: controller.signal,
        retry: 0,
        responseType: 'json',
      });
      this.log(method, path, 200, started, null);
      return result;
    } catch (cause) {
      const error = toChatError(cause, {
        method,
        path,
        timedOut,
        cancelled: options.signal?.aborted ?? false,
      });
      this.log(method, path, error.status ?? null, started, error);
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
    }
  }

  private log(method: string, path: string, status: number | null, started: number, error: ChatError | null) {
    this.options.onLog?.({ method, path, status, durationMs: Date.now() - started, error });
  }
}

/** ofetch serialises arrays as repeated keys; osu! wants `includes[]=a&includes[]=b`. */
function compactQuery(query: NonNullable<RequestOptions['query']>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) result[`${key}[]`] = value;
    else result[key] = value;
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
    const response = rawCause.response;
    const status = response.status;
    const data = rawCause.data as unknown;
    const serverMessage =
      typeof data === 'object' && data !== null && typeof (data as { error?: unknown }).error === 'string'
        ? (data as { error: string }).error
        : null;
    const detail = serverMessage ? `: ${serverMessage}` : '';
    if (status === 401)
      return new ChatError('auth', `${what} was refused (401)${detail}`, { status, serverMessage, cause });
    if (status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return new ChatError('rateLimit', `${what} was rate limited (429)${detail}`, {
        status,
        serverMessage,
        retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
        cause,
      });
    }
    if (status === 403 && serverMessage?.includes('scope')) {
      return new ChatError('auth', `${what} needs a scope the token lacks${detail}`, {
        status,
        serverMessage,
        cause,
      });
    }
    return new ChatError('http', `${what} failed with ${status}${detail}`, { status, serverMessage, cause });
  }
  if (rawCause instanceof FetchError && /JSON|parse/i.test(String(rawCause.message))) {
    return new ChatError('protocol', `${what} returned a body that is not JSON`, { cause });
  }
  return new ChatError('network', `${what} could not reach the server`, { cause });
}

/** A plain `{name, message, code, cause}` chain without request options, headers or bodies. */
export function summarizeCause(cause: unknown, depth = 0): unknown {
  if (!(cause instanceof Error) || depth > 4) return cause instanceof Error ? undefined : cause;
  const summary = new Error(redact(cause.message));
  summary.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(summary, { code });
  const inner = summarizeCause((cause as { cause?: unknown }).cause, depth + 1);
  if (inner !== undefined) Object.assign(summary, { cause: inner });
  return summary;
}

/** Error codes that prove a request never reached the server (so retrying it cannot double-post). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * True only when the request surely never reached the server: a refused connection or failed DNS lookup, or a
 * 429/401 answer. Timeouts and resets are "unknown fate" and answer false.
 */
export function definitelyNotSent(error: ChatError): boolean {
  if (error.kind === 'rateLimit' || error.kind === 'auth') return true;
  if (error.kind !== 'network') return false;
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 6 && cause; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
