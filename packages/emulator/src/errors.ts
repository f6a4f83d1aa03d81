/**
 * An HTTP error as osu-web renders it (§1.5): a status and a JSON body, `{"error": <string|null>}` unless the
 * route says otherwise (401 is `{"authentication":"basic"}`, session verification is `{"method":"mail"}`).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'HttpError';
  }
}

/** `abort(status, message)`: `{"error": message}`, or `{"error": null}` for a bare abort. */
export function fail(status: number, error: string | null = null): never {
  throw new HttpError(status, { error });
}

/** `findOrFail` on a missing model: 404 `Specified <Model> couldn't be found.` */
export function notFound(model: 'Chat\\Channel' | 'Chat\\UserChannel' | 'User'): never {
  throw new HttpError(404, { error: `Specified ${model} couldn't be found.` });
}

/** The translated `authorization.*` strings of §4.1. */
export const AuthorizationMessage = {
  blocked: 'Cannot message a user that is blocking you or that you have blocked.',
  friendsOnly: 'User is blocking messages from people not on their friends list.',
  moderated: 'This channel is currently moderated.',
  noAccess: 'You do not have access to that channel.',
  noAnnounce: 'You do not have permission to post announcement.',
  receiveFriendsOnly:
    'The user may not be able to reply because you are only accepting messages from people on your friends list.',
  restricted: 'You cannot send messages while silenced, restricted or banned.',
  unauthorized: 'Access denied.',
  /** `authorization.chat.no_channel` has no translation in osu-web, so the raw key is rendered. */
  noChannel: 'authorization.chat.no_channel',
} as const;
