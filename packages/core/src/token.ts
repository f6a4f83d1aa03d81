// The token source: a fixed string, or a provider called on every (re)connect and after a 401.
import { asChatError, ChatError } from './errors.js';

/** A token, or a function that returns a fresh one. */
export type TokenSource = string | (() => string | Promise<string>);

/** Caches the current token; `refresh()` asks the provider again (concurrent calls share one request). */
export class TokenManager {
  // `#` fields: `console.log(client)` and other inspections of the client must not show the token.
  #token: string | undefined;
  #pending: Promise<string> | undefined;
  readonly #source: TokenSource;

  constructor(source: TokenSource) {
    this.#source = source;
  }

  /** The token in use (asks the provider the first time). */
  current(): Promise<string> {
    return this.#token !== undefined ? Promise.resolve(this.#token) : this.refresh();
  }

  /** Asks the provider for a token now (a fixed token is simply returned again). */
  refresh(): Promise<string> {
    if (typeof this.#source === 'string') {
      this.#token = this.#source;
      return Promise.resolve(this.#source);
    }
    this.#pending ??= (async () => {
      try {
        const token = await (this.#source as () => string | Promise<string>)();
        if (typeof token !== 'string' || token === '') {
          throw new ChatError('auth', 'The token provider returned no token');
        }
        this.#token = token;
        return token;
      } catch (cause) {
        throw asChatError(cause, 'auth', 'The token provider failed');
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }
}

/**
 * The scopes of an osu! access token, read from its JWT payload (`scopes` claim); null when the token is not a
 * JWT. Used to pick the mode without calling a route the token may not be allowed to call.
 */
export function tokenScopes(token: string): string[] | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    // base64url → base64. `atob` accepts it without the `=` padding JWTs leave out (forgiving-base64 decode).
    const json: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const scopes = (json as { scopes?: unknown }).scopes;
    return Array.isArray(scopes) && scopes.every((s) => typeof s === 'string') ? scopes : null;
  } catch {
    return null;
  }
}
