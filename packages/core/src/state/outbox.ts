// The outbox: every send shows at once as `pending`, goes out in order through the per-bucket limiter, and
// ends `sent` (HTTP response or socket echo, whichever comes first) or `failed`. osu! does not deduplicate
// on the client `uuid`, so a send whose fate is unknown is looked up (echo, then history) before it is ever
// sent again: an automatic retry never double-posts.
import type { Subscription } from 'rxjs';
import { ChatError, isChatError } from '../errors.js';
import { type ChatHttp, definitelyNotSent, summarizeCause } from '../transport/http.js';
import { decodeChannel, decodeList, decodeMessage, isObject } from '../transport/wire.js';
import type { Channel, ChannelType, Message } from '../types.js';
import {
  outboxClosed,
  type SendBucket,
  type SendPacingOptions,
  SendRateLimiter,
  sendBucket,
} from './rateLimiter.js';
import { pmsBetween } from './selectors.js';
import type { ChatStore } from './store.js';

/** What `findOwnMessage` looks for: the user's own message with this content after `afterId`. */
export interface OwnMessageQuery {
  /** The newest message id known in the channel before the attempt; null when none is known. */
  afterId: number | null;
  /** The content as osu! stores it (trimmed, CR/LF folded). */
  content: string;
  isAction: boolean;
  senderId: number;
}

/** What an Outbox needs; every wait runs on `clock`, so tests can use fake time. */
export interface OutboxOptions extends SendPacingOptions {
  /** The store; its signed-in user (`me`) is the sender of pending messages. */
  store: ChatStore;
  http: ChatHttp;
  /** Looks a send of unknown fate up on the server; usually `findOwnMessageViaHistory`. */
  findOwnMessage(channelId: number, query: OwnMessageQuery): Promise<Message | null>;
  /** Called when a send ends failed (not for invalid input, which the promise reports, nor on dispose). */
  onError?(error: ChatError): void;
  /** Tries per send (requests and failed look-ups) before it ends failed; 5 by default. */
  maxAttempts?: number;
  /** How long a send of unknown fate waits for its socket echo before looking in history; 3000 ms by default. */
  echoWaitMs?: number;
}

/** What a send is, fixed when it is made. */
interface Send {
  localId: string;
  /** The channel the send was made to: a draft's id stays here and resolves through the store. */
  channelId: number;
  content: string;
  isAction: boolean;
  bucket: SendBucket;
}

/** A send and its delivery; `#enqueue` starts each send cycle (the first, and every manual retry). */
interface Entry extends Send {
  state: 'pending' | 'sent' | 'failed';
  /** Requests and failed look-ups in the current cycle. */
  attempts: number;
  /** Settle the current cycle's promise (what `send` or `retry` returned). */
  resolve: (message: Message) => void;
  reject: (error: ChatError) => void;
  /**
   * The error of the last attempt when that attempt may have reached the server anyway: look before sending
   * again. It survives a manual retry.
   */
  uncertain?: ChatError | undefined;
  /** The newest message id known in the channel before the last attempt (what a look-up searches after). */
  afterId?: number | null;
  /** Aborts the request in flight; once that request has ended, aborting it does nothing. */
  controller?: AbortController;
}

const PAGE_SIZE = 50;
/** How far `findOwnMessageViaHistory` pages (1000 messages) before it gives up. */
const MAX_PAGES = 20;

/**
 * Sends chat messages reliably. Exactly one copy reaches the server, or the message ends `failed` and can be
 * retried or discarded by the user.
 *
 * The promise `send()` returns is already handled internally, so ignoring it never causes an
 * unhandled-rejection warning; await it to learn the outcome (the store shows it either way).
 *
 * @example
 * ```ts
 * const outbox = new Outbox({ store, http, clock,
 *   findOwnMessage: (id, query) => findOwnMessageViaHistory(http, id, query) });
 * outbox.send(channelId, 'hello!'); // appears at once as pending
 * await outbox.send(channelId, 'waves', { action: true }).catch((error: ChatError) => showError(error));
 * ```
 */
export class Outbox {
  readonly #entries = new Map<string, Entry>();
  readonly #options: OutboxOptions;
  readonly #store: ChatStore;
  readonly #limiter: SendRateLimiter;
  #disposed = false;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#limiter = new SendRateLimiter(options);
  }

  /**
   * Validates, shows the message as pending (synchronously) and queues it. Resolves with the sent message;
   * rejects with the `ChatError` it failed with, or with `ChatError('invalid')` (adding nothing to the store)
   * for blank or too long text or a channel that cannot be messaged. Safe to ignore: never an unhandled rejection.
   */
  send(channelId: number, text: string, opts: { action?: boolean } = {}): Promise<Message> {
    if (this.#disposed) return rejected(outboxClosed());
    const store = this.#store;
    const { me } = store.snapshot;
    const channel = store.snapshot.channels.get(store.resolve(channelId));
    let content: string;
    try {
      if (!me) throw new ChatError('invalid', 'Not signed in');
      if (!channel) throw new ChatError('invalid', `Unknown channel ${channelId}`);
      content = checkMessage(channel, text);
    } catch (error) {
      return rejected(error);
    }
    const isAction = opts.action === true;
    const localId = globalThis.crypto.randomUUID();
    const message: Message = {
      key: localId,
      id: null,
      channelId: channel.id,
      senderId: me.id,
      content,
      isAction,
      timestamp: this.#options.clock.now(),
      type: isAction ? 'action' : channel.type === 'ANNOUNCE' ? 'markdown' : 'plain',
      status: 'pending',
      localId,
      error: null,
    };
    store.dispatch({ type: 'send.pending', message });
    return this.#enqueue({
      localId,
      channelId: channel.id,
      content,
      isAction,
      bucket: sendBucket(channel.type),
    });
  }

  /** Sends a failed message again, at the end of its bucket's queue. */
  retry(localId: string): Promise<Message> {
    const entry = this.#entries.get(localId);
    if (this.#disposed) return rejected(outboxClosed());
    if (entry?.state !== 'failed') {
      return rejected(new ChatError('invalid', 'There is no failed message with that id'));
    }
    this.#store.dispatch({ type: 'send.retrying', localId });
    return this.#enqueue(entry);
  }

  /** Removes a failed message (pending ones cannot be discarded: they may already be on the server). */
  discard(localId: string): void {
    const entry = this.#entries.get(localId);
    if (entry?.state !== 'failed') return;
    this.#entries.delete(localId);
    this.#store.dispatch({ type: 'send.discarded', localId });
  }

  /** A socket message carrying a `localId`: if it is one of ours still pending, it is now sent. */
  onEcho(message: Message): void {
    const entry = message.localId === null ? undefined : this.#entries.get(message.localId);
    if (entry?.state === 'pending') this.#succeed(entry, message);
  }

  /** Stops sending: pending sends reject with `ChatError('closed')` and stay in the store as failed. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#limiter.dispose();
    for (const entry of this.#entries.values()) {
      if (entry.state !== 'pending') continue;
      entry.controller?.abort();
      this.#fail(entry, new ChatError('closed', 'The outbox was closed before the message was sent'), false);
    }
  }

  // ---- delivery --------------------------------------------------------------------------------------------

  /** Starts a send cycle: a new send, or a failed entry again (which keeps `uncertain` and so is looked up first). */
  #enqueue(send: Send): Promise<Message> {
    return handled(
      new Promise<Message>((resolve, reject) => {
        const entry: Entry = Object.assign(send, { state: 'pending' as const, attempts: 0, resolve, reject });
        this.#entries.set(entry.localId, entry);
        this.#limiter.run(entry.bucket, () =>
          this.#deliver(entry).catch((error) => this.#fail(entry, unexpected(error))),
        );
      }),
    );
  }

  /** Attempts until sent or failed; holds the bucket's lane throughout, so order is kept. */
  async #deliver(entry: Entry): Promise<void> {
    const maxAttempts = this.#options.maxAttempts ?? 5;
    for (;;) {
      if (entry.uncertain) {
        const outcome = await this.#lookUp(entry);
        if (entry.state !== 'pending') return;
        if (outcome === 'unknown') {
          // The look-up itself failed: the fate is still unknown, so only ever try the look-up again.
          entry.attempts += 1;
          if (entry.attempts >= maxAttempts) return this.#fail(entry, entry.uncertain);
          await this.#limiter.backOff(entry.attempts, null);
          continue;
        }
        if (outcome !== 'absent') return this.#succeed(entry, outcome);
        // Not on the server: sending again is safe.
        const error = entry.uncertain;
        entry.uncertain = undefined;
        if (entry.attempts >= maxAttempts) return this.#fail(entry, error);
      }
      await this.#limiter.pace(entry.bucket);
      if (entry.state !== 'pending') return;
      entry.attempts += 1;
      const error = await this.#attempt(entry);
      if (error === null || entry.state !== 'pending') return;
      if (!mayRetry(error)) return this.#fail(entry, error);
      if (!definitelyNotSent(error)) {
        entry.uncertain = error;
        continue;
      }
      if (entry.attempts >= maxAttempts) return this.#fail(entry, error);
      await this.#limiter.backOff(entry.attempts, error);
    }
  }

  /** One request. Null when it succeeded, else its error. */
  async #attempt(entry: Entry): Promise<ChatError | null> {
    const channelId = this.#store.resolve(entry.channelId);
    const controller = new AbortController();
    entry.controller = controller;
    entry.afterId = channelId > 0 ? lastKnownId(this.#store, channelId) : null;
    const post = (path: string, body: Record<string, unknown>) =>
      this.#options.http.request<unknown>('POST', path, { body, signal: controller.signal });
    const body = { message: entry.content, is_action: entry.isAction, uuid: entry.localId };
    try {
      if (channelId > 0) {
        this.#succeed(entry, decodeMessage(await post(`/chat/channels/${channelId}/messages`, body)));
      } else {
        // A draft PM: `/chat/new` creates the channel along with its first message.
        const json = await post('/chat/new', { target_id: this.#draftTarget(channelId), ...body });
        if (!isObject(json)) throw new ChatError('protocol', 'Malformed /chat/new response from the server');
        this.#succeed(entry, decodeMessage(json.message), decodeChannel(json.channel));
      }
      return null;
    } catch (error) {
      return unexpected(error);
    } finally {
      this.#limiter.finished(entry.bucket);
    }
  }

  /** Resolves an unknown fate: the socket echo (or the store) first, then the channel's history. */
  async #lookUp(entry: Entry): Promise<Message | 'absent' | 'unknown'> {
    const store = this.#store;
    let copy: Message | undefined;
    let watch: Subscription | undefined;
    // The wait stops early once the send's sent copy shows up in the store (the client may put the echo straight
    // into the store, `messages.received`, instead of calling onEcho) or the send settles: onEcho's `send.sent`
    // changes the store too, and dispose ends the wait itself.
    const seen = new Promise<void>((resolve) => {
      watch = store.state$.subscribe(() => {
        copy ??= sentCopy(store, entry.localId);
        if (copy || entry.state !== 'pending') resolve();
      });
    });
    try {
      await this.#limiter.wait(this.#options.echoWaitMs ?? 3000, seen);
    } finally {
      watch?.unsubscribe();
    }
    if (entry.state !== 'pending') return 'absent';
    if (copy) return copy;
    let channelId = store.resolve(entry.channelId);
    if (channelId < 0) {
      // A draft whose /chat/new may have gone through: the PM, if it exists now, is known by its members.
      const { channels } = store.snapshot;
      const pm = pmsBetween(channels, channels.get(channelId)?.userIds ?? []).find(
        (channel) => !channel.draft,
      );
      if (!pm) return 'absent';
      channelId = pm.id;
    }
    const { me } = store.snapshot;
    if (!me) return 'unknown';
    try {
      const query = {
        afterId: entry.afterId ?? null,
        content: entry.content,
        isAction: entry.isAction,
        senderId: me.id,
      };
      return (await this.#options.findOwnMessage(channelId, query)) ?? 'absent';
    } catch {
      return 'unknown';
    }
  }

  // ---- outcomes --------------------------------------------------------------------------------------------

  /** `channel` is the real channel a draft's `/chat/new` answer brought, when this is that answer. */
  #succeed(entry: Entry, message: Message, channel?: Channel): void {
    const store = this.#store;
    // Only a draft's send is answered with a channel (so `draftId` is a draft's id then).
    const draftId = entry.channelId;
    // A later answer (the echo came first) still brings the real channel's details: promoting again only merges them.
    if (channel) store.dispatch({ type: 'draft.promoted', draftId, channel });
    if (entry.state !== 'pending') return;
    // A draft's send found otherwise (echo, look-up): the draft becomes the channel the message landed in.
    if (!channel && store.resolve(draftId) < 0) {
      const { channels } = store.snapshot;
      const draft = channels.get(draftId);
      const promoted =
        channels.get(message.channelId) ?? (draft && { ...draft, id: message.channelId, draft: false });
      if (promoted) store.dispatch({ type: 'draft.promoted', draftId, channel: promoted });
    }
    entry.state = 'sent';
    this.#entries.delete(entry.localId);
    const sent: Message = { ...message, localId: entry.localId, key: entry.localId };
    store.dispatch({ type: 'send.sent', localId: entry.localId, message: sent });
    entry.resolve(sent);
  }

  #fail(entry: Entry, error: ChatError, report = true): void {
    if (entry.state !== 'pending') return;
    entry.state = 'failed';
    this.#store.dispatch({ type: 'send.failed', localId: entry.localId, error });
    entry.reject(error);
    if (report) this.#options.onError?.(error);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  #draftTarget(draftId: number): number {
    const { me, channels } = this.#store.snapshot;
    const draft = channels.get(draftId);
    const target = draft?.userIds.find((id) => id !== me?.id);
    if (target === undefined) throw new ChatError('invalid', 'The draft PM has no other user');
    return target;
  }
}

/**
 * The text osu! would store for `text` in a channel of this type: trimmed with CR and LF each folded to a
 * space, except in ANNOUNCE channels (spec §4.2). Chat filters may still change it on the server.
 */
export function normalizeContent(text: string, type: ChannelType): string {
  if (type === 'ANNOUNCE') return text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: PHP trim()'s default set includes NUL and VT.
  return text.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, '').replace(/[\r\n]/g, ' ');
}

/** The normalized text, or `ChatError('invalid')` for blank, too long (code points) or unsendable messages. */
function checkMessage(channel: Channel, text: string): string {
  if (channel.canMessage === false) {
    throw new ChatError('invalid', channel.canMessageError ?? 'You cannot send messages in this channel');
  }
  const content = normalizeContent(text, channel.type);
  if (content === '') throw new ChatError('invalid', 'Cannot send a blank message');
  if ([...content].length > channel.messageLengthLimit) {
    throw new ChatError('invalid', `The message is longer than ${channel.messageLengthLimit} characters`);
  }
  return content;
}

/**
 * Finds the user's own message with this content after `query.afterId` by paging
 * `GET /chat/channels/{id}/messages?since=…` (the oldest first, at most 20 pages). Without an
 * `afterId` only the newest page is searched, newest first. What the outbox uses to resolve a send of
 * unknown fate.
 *
 * @example
 * ```ts
 * const found = await findOwnMessageViaHistory(http, 5, { afterId: 120, content: 'hi', isAction: false, senderId: 2 });
 * ```
 */
export async function findOwnMessageViaHistory(
  http: ChatHttp,
  channelId: number,
  query: OwnMessageQuery,
): Promise<Message | null> {
  const matches = (m: Message) =>
    m.senderId === query.senderId && m.content === query.content && m.isAction === query.isAction;
  const page = async (since: number | null) => {
    const json = await http.request<unknown>('GET', `/chat/channels/${channelId}/messages`, {
      query: { limit: PAGE_SIZE, since },
    });
    return decodeList(json, decodeMessage, () => undefined);
  };
  if (query.afterId === null) return (await page(null)).findLast(matches) ?? null;
  let since = query.afterId;
  for (let i = 0; i < MAX_PAGES; i += 1) {
    const messages = await page(since);
    const found = messages.find(matches);
    if (found) return found;
    if (messages.length < PAGE_SIZE) return null;
    since = messages.at(-1)?.id as number;
  }
  return null;
}

/** Retry later (rate limits, network failures, 5xx, protocol surprises) versus fail now (4xx, auth, closed). */
function mayRetry(error: ChatError): boolean {
  return error.kind !== 'auth' && (error.retryable || error.kind === 'protocol');
}

/** The newest message id known in the channel: its `lastMessageId` or a newer loaded message; null when none. */
function lastKnownId(store: ChatStore, channelId: number): number | null {
  const { channels, messages } = store.snapshot;
  let last = channels.get(channelId)?.lastMessageId ?? null;
  for (const { id } of messages.get(channelId)?.messages ?? [])
    if (id !== null && (last === null || id > last)) last = id;
  return last;
}

/** The store's sent copy of a send, in any channel (a draft's echo lands in the real PM). */
function sentCopy(store: ChatStore, localId: string): Message | undefined {
  for (const list of store.snapshot.messages.values()) {
    const found = list.messages.findLast((m) => m.localId === localId && m.status === 'sent');
    if (found) return found;
  }
  return undefined;
}

/** What a failure that is not already a `ChatError` (a bug, say) ends the send with. */
function unexpected(error: unknown): ChatError {
  // Whatever failed may carry request options (and so the token): keep only a safe summary as the cause.
  return isChatError(error)
    ? error
    : new ChatError('protocol', 'Sending failed unexpectedly', { cause: summarizeCause(error) });
}

/** Marks a promise as handled (callers that ignore it get no unhandled-rejection warning) and returns it. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** A rejected promise that is already handled: for refusals `send` and `retry` report without queueing. */
function rejected(error: unknown): Promise<never> {
  return handled(Promise.reject(error));
}
