// The one facade: owns the session actor, the transports and the stores; ref-counted mount()/unmount().
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import { type ChatClientOptions, type DirectoryState, realClock } from './clientOptions.js';
import { asChatError, ChatError } from './errors.js';
import type { ChatEvent } from './events.js';
import { observeReadable, readableFromSubject, selectReadable, whileObserved } from './readable.js';
import { type SessionHandle, startSession } from './session/session.js';
import { ChannelSync } from './state/channelSync.js';
import { HistoryLoader } from './state/history.js';
import { Keepalive } from './state/keepalive.js';
import { LiveSync } from './state/liveSync.js';
import { findOwnMessageViaHistory, Outbox } from './state/outbox.js';
import { ReadMarkers } from './state/readMarkers.js';
import { ChatStore, cached } from './state/store.js';
import { TokenManager } from './token.js';
import type { ServerFrame } from './transport/frames.js';
import { ChatHttp } from './transport/http.js';
import type {
  Channel,
  ChannelMessages,
  Clock,
  ConnectionState,
  Message,
  Readable,
  Unread,
  UnreadSummary,
  User,
} from './types.js';

/** osu!'s activity timeout: PUBLIC messages stop after this long without an ack. */
const ACTIVITY_TIMEOUT_MS = 60_000;
const UNMOUNT_GRACE_MS = 0;

/**
 * A live osu! chat session. Create it with {@link createChatClient}.
 *
 * @example
 * ```ts
 * const client = createChatClient({ apiUrl: 'https://osu.ppy.sh', token });
 * client.connect();
 * client.messages$(channelId).subscribe(({ messages }) => render(messages));
 * await client.send(channelId, 'hello!');
 * ```
 */
export class ChatClient {
  /** Errors, new messages and the wire trace. */
  readonly events$: Observable<ChatEvent>;
  /** The session machine's state as users see it. */
  readonly connection: Readable<ConnectionState>;
  readonly connection$: Observable<ConnectionState>;
  /** Joined channels (and drafts) in osu-web's order. */
  readonly channels: Readable<readonly Channel[]>;
  readonly channels$: Observable<readonly Channel[]>;

  /** @internal */ readonly store: ChatStore;
  /** @internal */ readonly session: SessionHandle;
  readonly #history: HistoryLoader;
  readonly #keepalive: Keepalive;
  readonly #channelSync: ChannelSync;
  readonly #readMarkers: ReadMarkers;
  readonly #outbox: Outbox;
  readonly #sync: LiveSync;
  readonly #clock: Clock;
  readonly #events = new Subject<ChatEvent>();
  /** The Readables handed out by key (`channel:1`, `user:2`…), so each is the same object every time. */
  readonly #readables = new Map<string, Readable<unknown>>();
  /** Subscriptions to each channel's `messages` Readable: older pages are kept while there are any. */
  readonly #observers = new Map<number, number>();
  readonly #directoryState = new BehaviorSubject<DirectoryState>({
    channels: null,
    loading: false,
    error: null,
  });
  #mounts = 0;
  #unmountTimer: unknown = null;
  #disposed = false;
  /** Subscriptions the client holds for its whole life; ended by `dispose()`. */
  readonly #teardown: (() => void)[];

  constructor(options: ChatClientOptions) {
    const clock = options.clock ?? realClock;
    const random = options.random ?? Math.random;
    const report = (error: ChatError) => this.#emit({ type: 'error', error, at: clock.now() });
    const tokens = new TokenManager(options.token);
    const http = new ChatHttp({
      apiUrl: options.apiUrl.replace(/\/+$/, ''),
      fetch: options.fetch,
      getToken: () => tokens.current(),
      refreshToken: () => tokens.refresh(),
      timeoutMs: options.requestTimeoutMs ?? 15_000,
      onLog: (entry) => this.#emit({ type: 'http', ...entry, at: clock.now() }),
    });
    const store = new ChatStore({ messageCap: options.messageCap ?? 500, leftIgnoreMs: ACTIVITY_TIMEOUT_MS });
    /** What every collaborator below works with. */
    const shared = { store, http, clock, onError: report };
    this.store = store;
    this.#clock = clock;
    this.events$ = this.#events.asObservable();
    this.#history = new HistoryLoader({ ...shared, maxBackfillPages: options.maxBackfillPages ?? 20 });
    this.#keepalive = new Keepalive({
      ...shared,
      checkpoint: () => this.#history.cursors(),
      onRiskHealed: (checkpoint) => {
        // Only PUBLIC channels depend on acks; a PM's cursor must not move back.
        const isPublic = (channel?: Channel) => channel?.type === 'PUBLIC';
        this.#history.markRisk(
          new Map([...checkpoint].filter(([id]) => isPublic(store.snapshot.channels.get(id)))),
        );
        void this.#sync.heal(isPublic);
      },
      activityTimeoutMs: ACTIVITY_TIMEOUT_MS,
    });
    this.#channelSync = new ChannelSync({
      ...shared,
      onJoined: () => this.session.send({ type: 'keepalive.now' }),
      onSilences: (silences) => this.#keepalive.applySilences(silences),
    });
    this.#readMarkers = new ReadMarkers({ ...shared, intervalMs: 1000 });
    this.#outbox = new Outbox({
      ...shared,
      random,
      findOwnMessage: (channelId, query) => findOwnMessageViaHistory(http, channelId, query),
    });
    this.#sync = new LiveSync({
      ...shared,
      history: this.#history,
      channelSync: this.#channelSync,
      keepalive: this.#keepalive,
      connection: () => this.connection.getSnapshot(),
    });
    this.session = startSession({
      options,
      clock,
      random,
      tokens,
      http,
      onUser: (user) => store.dispatch({ type: 'me', user }),
      onFrame: (frame, raw) => this.#onFrame(frame, raw),
      onSent: (raw) =>
        this.#emit({
          type: 'frame',
          direction: 'out',
          event: frameName(raw),
          bytes: raw.length,
          at: clock.now(),
        }),
      onError: report,
      ack: () => this.#keepalive.ack(),
      needsKeepalive: () => this.#keepalive.needed(),
      onLive: () => void this.#sync.onLive(),
      onDown: () => this.#history.markRisk(),
    });
    this.connection = this.session.connection;
    this.connection$ = observeReadable(this.connection);
    this.channels = store.channels;
    this.channels$ = observeReadable(this.channels);
    this.#teardown = [
      this.connection.subscribe(() =>
        this.#emit({ type: 'connection', state: this.connection.getSnapshot(), at: clock.now() }),
      ),
      this.#sync.watchPlaceholders(),
    ];
  }

  // ---- lifetime --------------------------------------------------------------------------------------------

  /** Starts the session (idempotent). */
  connect(): void {
    if (this.#disposed) throw new ChatError('closed', 'This client was disposed');
    this.session.send({ type: 'connect' });
  }

  /** Ends the session cleanly (`chat.end`, socket closed); pending sends keep waiting for the next connect. */
  disconnect(): void {
    this.session.send({ type: 'disconnect' });
  }

  /**
   * Ref-counted connect: the first mount connects, the last unmount disconnects (after a tick, so a remount
   * in the same tick — React StrictMode — keeps the session).
   */
  mount(): () => void {
    this.#mounts += 1;
    if (this.#unmountTimer !== null) {
      this.#clock.clearTimeout(this.#unmountTimer);
      this.#unmountTimer = null;
    }
    if (this.#mounts === 1) this.connect();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.unmount();
    };
  }

  /** Undoes one `mount()`. */
  unmount(): void {
    if (this.#mounts === 0) return;
    this.#mounts -= 1;
    if (this.#mounts > 0) return;
    // A mount meanwhile clears this timer: when it fires, nothing is mounted.
    this.#unmountTimer = this.#clock.setTimeout(() => {
      this.#unmountTimer = null;
      this.disconnect();
    }, UNMOUNT_GRACE_MS);
  }

  /** Disconnects and releases everything; pending sends fail with kind `closed`. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#sync.dispose();
    this.#outbox.dispose();
    this.#readMarkers.dispose();
    this.session.stop();
    for (const stop of this.#teardown) stop();
    this.#events.complete();
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  /** The signed-in user, once known. */
  get me(): User | null {
    return this.store.snapshot.me;
  }

  /** One channel; observing it fetches its details when they are missing. The same object for the same id. */
  channel(channelId: number): Readable<Channel | undefined> {
    return this.#cached(`channel:${channelId}`, () =>
      whileObserved(this.store.channel(channelId), () => this.#sync.ensureChannel(channelId)),
    );
  }

  channel$(channelId: number): Observable<Channel | undefined> {
    return observeReadable(this.channel(channelId));
  }

  /**
   * A channel's loaded messages; the first observer loads the newest page (once the channel is known, if it
   * is observed before the channel list arrived). Older pages stay while it is observed (`keepsOlder`). The
   * same object for the same id.
   */
  messages(channelId: number): Readable<ChannelMessages> {
    return this.#cached(`messages:${channelId}`, () =>
      whileObserved(this.store.messages(channelId), () => {
        this.#observers.set(channelId, (this.#observers.get(channelId) ?? 0) + 1);
        this.#sync.ensureMessagesOnceLoaded(channelId);
        return () => {
          const left = (this.#observers.get(channelId) as number) - 1;
          this.#observers.set(channelId, left);
          if (left === 0) this.#releaseOlder(channelId);
        };
      }),
    );
  }

  messages$(channelId: number): Observable<ChannelMessages> {
    return observeReadable(this.messages(channelId));
  }

  unread(channelId: number): Readable<Unread | undefined> {
    return this.store.unread(channelId);
  }

  unread$(channelId: number): Observable<Unread | undefined> {
    return observeReadable(this.unread(channelId));
  }

  /** A user seen in chat (sender or PM member). */
  user(userId: number): Readable<User | undefined> {
    return this.#cached(`user:${userId}`, () =>
      selectReadable(this.store.state, (state) => state.users.get(userId)),
    );
  }

  /** Unread channels and mentions over every channel. */
  get unreadSummary(): Readable<UnreadSummary> {
    return this.store.unreadSummary;
  }

  /**
   * The PUBLIC channel directory; the first observer loads it (`channels` is null until the first answer).
   */
  get directory(): Readable<DirectoryState> {
    return this.#cached('directory', () =>
      whileObserved(readableFromSubject(this.#directoryState), () => {
        const { channels, loading } = this.#directoryState.getValue();
        if (channels === null && !loading) void this.refreshDirectory();
      }),
    );
  }

  /** Reloads the directory of PUBLIC channels (`GET /chat/channels`). Errors land in `directory.error`. */
  readonly refreshDirectory = async (): Promise<void> => {
    const directory = this.#directoryState;
    directory.next({ ...directory.getValue(), loading: true, error: null });
    try {
      const channels = await this.#channelSync.publicChannels();
      directory.next({ channels, loading: false, error: null });
    } catch (error) {
      directory.next({ ...directory.getValue(), loading: false, error: asChatError(error) });
    }
  };

  // ---- actions ---------------------------------------------------------------------------------------------

  /** Sends a message; it shows at once as `pending`. Resolves with the sent message, rejects with a ChatError. */
  send(channelId: number, text: string, options: { action?: boolean } = {}): Promise<Message> {
    // The outbox resolves a promoted draft's id itself.
    return this.#outbox.send(channelId, text, options);
  }

  /** Sends a failed message again. */
  retry(localId: string): Promise<Message> {
    return this.#outbox.retry(localId);
  }

  /** Drops a failed message. */
  discard(localId: string): void {
    this.#outbox.discard(localId);
  }

  /** Joins a PUBLIC channel; resolves when it is in the channel list. */
  join(channelId: number): Promise<Channel> {
    return this.#channelSync.join(channelId);
  }

  /** Leaves a channel. */
  leave(channelId: number): Promise<void> {
    return this.#channelSync.leave(this.store.resolve(channelId));
  }

  /** Opens a PM: the existing channel, or a draft whose first message creates it. */
  openPrivateChat(userId: number): Promise<Channel> {
    return this.#channelSync.openPrivateChat(userId);
  }

  /** Creates an announcement channel (moderators and announcers only). */
  createAnnouncement(input: {
    name: string;
    description: string;
    userIds: readonly number[];
    message: string;
  }) {
    return this.#channelSync.createAnnouncement(input);
  }

  /**
   * Loads the page before the oldest loaded message. While the channel's messages are observed, older pages
   * are kept past the message cap (`ChannelMessages.keepsOlder`); unobserved, the cap applies again at the
   * next live message.
   */
  loadOlder(channelId: number): Promise<void> {
    return this.#history.loadOlder(this.store.resolve(channelId)).finally(() => {
      if (!this.#observers.get(channelId)) this.#releaseOlder(channelId);
    });
  }

  /** Marks a channel read up to `messageId` (default: its last message); never moves backwards. */
  markAsRead(channelId: number, messageId?: number): void {
    this.#readMarkers.mark(this.store.resolve(channelId), messageId);
  }

  /** Every PUBLIC channel, to join from. */
  publicChannels(): Promise<Channel[]> {
    return this.#channelSync.publicChannels();
  }

  // ---- internals -------------------------------------------------------------------------------------------

  #emit(event: ChatEvent): void {
    if (!this.#disposed) this.#events.next(event);
  }

  /** The socket's hot path: decode → batch into the store. */
  #onFrame(frame: ServerFrame, raw: string): void {
    const at = this.#clock.now();
    if (this.#events.observed) {
      this.#emit({ type: 'frame', direction: 'in', event: frameName(raw), bytes: raw.length, at });
    }
    switch (frame.type) {
      case 'messages':
        for (const message of frame.messages) {
          this.#keepalive.noteMessageId(message.id as number);
          if (message.localId !== null) this.#outbox.onEcho(message);
          if (this.#events.observed) this.#emit({ type: 'message', message, at });
        }
        this.store.enqueue({ type: 'messages.received', messages: frame.messages, users: frame.users, at });
        return;
      case 'channelJoin':
        // The join event acks at once too (ChannelSync calls `onJoined`).
        this.store.flush();
        this.#channelSync.onJoinEvent(frame.channel, frame.uuid);
        this.#emit({ type: 'channel.joined', channel: frame.channel, at });
        return;
      case 'channelPart':
        this.store.enqueue({ type: 'channel.removed', channelId: frame.channelId, at });
        this.#emit({ type: 'channel.left', channelId: frame.channelId, at });
        return;
    }
  }

  /** The cap may evict older pages again: nobody reads them. */
  #releaseOlder(channelId: number): void {
    this.store.dispatch({ type: 'older.released', channelId: this.store.resolve(channelId) });
  }

  /** One Readable per key, so UI bindings get the same object on every render. */
  #cached<T>(key: string, create: () => Readable<T>): Readable<T> {
    return cached(this.#readables, key, create) as Readable<T>;
  }
}

/**
 * Creates a chat client. Nothing happens until `connect()` (or `mount()`).
 *
 * @example
 * ```ts
 * import { createChatClient } from '@osu-chat/core';
 * const client = createChatClient({ apiUrl: 'https://osu.ppy.sh', token: () => getToken() });
 * client.connect();
 * client.connection$.subscribe((state) => console.log(state.status));
 * ```
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  return new ChatClient(options);
}

function frameName(raw: string): string {
  const match = /"(?:event|error)"\s*:\s*"([^"]{1,64})"/.exec(raw);
  return match?.[1] ?? 'unknown';
}
