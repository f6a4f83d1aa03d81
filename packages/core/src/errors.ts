// One error class for everything the engine reports. Transport errors are wrapped at the edge and never
// escape raw; messages never contain tokens.

/** What went wrong, coarsely; `retryable` says whether trying again later can help. */
export type ChatErrorKind =
  /** The request or socket could not reach the server, or timed out. */
  | 'network'
  /** The server answered with an error status (4xx other than 401/429, or 5xx). */
  | 'http'
  /** The token was refused (HTTP 401, socket `authentication failed`) or lacks a scope. */
  | 'auth'
  /** HTTP 429: too many requests or messages. */
  | 'rateLimit'
  /** The server sent something the engine could not understand (malformed frame or payload). */
  | 'protocol'
  /** The client was disconnected or disposed while the operation was pending. */
  | 'closed'
  /** Refused before anything was sent: blank or too long a message, a channel that cannot be messaged. */
  | 'invalid';

export interface ChatErrorOptions {
  status?: number | undefined;
  /** osu!'s `error` text from the response body, when there is one. */
  serverMessage?: string | null | undefined;
  /** Seconds the server asked to wait (429 `Retry-After`). */
  retryAfter?: number | undefined;
  cause?: unknown;
}

/**
 * The engine's error. Check `kind` (and `status` for HTTP errors); `retryable` tells whether the same
 * operation may succeed later.
 *
 * @example
 * ```ts
 * try { await client.send(channelId, text) } catch (error) {
 *   if (isChatError(error) && error.kind === 'rateLimit') showSlowDown();
 * }
 * ```
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  readonly kind: ChatErrorKind;
  readonly status: number | undefined;
  readonly serverMessage: string | null;
  readonly retryAfter: number | undefined;
  readonly retryable: boolean;

  constructor(
    kind: ChatErrorKind,
    message: string,
    { status, serverMessage, retryAfter, cause }: ChatErrorOptions = {},
  ) {
    super(redact(message), cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.status = status;
    this.serverMessage = serverMessage == null ? null : redact(serverMessage);
    this.retryAfter = retryAfter;
    this.retryable = isRetryable(kind, status);
  }
}

/** True for a `ChatError` (also across bundle copies). */
export function isChatError(value: unknown): value is ChatError {
  return (
    value instanceof ChatError || (value instanceof Error && value.name === 'ChatError' && 'kind' in value)
  );
}

/**
 * `error` itself when it is a `ChatError`, otherwise wrapped in one (`kind` and `message` say what failed; the
 * original is kept as the cause). For failures that reach a catch-all: transports wrap their own at the edge.
 */
export function asChatError(
  error: unknown,
  kind: ChatErrorKind = 'network',
  message = 'Unexpected failure',
): ChatError {
  return isChatError(error) ? error : new ChatError(kind, message, { cause: error });
}

/**
 * The retry table: network failures, rate limits and server errors (5xx) may succeed later; client errors,
 * auth failures (the session machine handles those), protocol errors and closing do not.
 */
export function isRetryable(kind: ChatErrorKind, status?: number): boolean {
  if (kind === 'http') return status !== undefined && (status >= 500 || status === 408);
  return kind === 'network' || kind === 'rateLimit';
}

const TOKEN_PATTERNS: RegExp[] = [
  /(Bearer\s+)[^\s"',]+/gi,
  /(access_token=)[^&\s"']+/gi,
  /("?(?:access_token|token|authorization)"?\s*[:=]\s*"?)[^"\s,}]+/gi,
];

/** Removes anything that looks like a token from a text (bearer values, `access_token=` params). */
export function redact(text: string): string {
  return TOKEN_PATTERNS.reduce((result, pattern) => result.replace(pattern, '$1[redacted]'), text);
}

/** Removes the `access_token` query parameter from a URL, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}
