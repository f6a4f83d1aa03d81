// The chat store: one hot stream of action batches, reduced with `scan` into ChatState, exposed as an
// Observable and as Readables (synchronous snapshots) per channel. Socket frames are batched per macrotask
// (browsers deliver each message as its own task: a microtask batches nothing); local actions apply at once.
import { BehaviorSubject, distinctUntilChanged, first, type Observable, Subject, scan } from 'rxjs';
import { observeReadable, readableFromSubject, selectReadable } from '../readable.js';
import type { Channel, ChannelMessages, Readable, Unread, UnreadSummary } from '../types.js';
import type { ChatAction } from './actions.js';
import { type ChatState, emptyMessages, INITIAL_STATE, type StateOptions } from './chatState.js';
import { reduce } from './reducer.js';
import { computeUnread, sameItems, sameValues, sortChannels } from './selectors.js';

/** In a burst of socket frames, the shortest time between two state changes (at most ~120 a second). */
export const BURST_INTERVAL_MS = 8;

/** A monotonic clock where there is one. */
const now = (): number => (typeof performance === 'undefined' ? Date.now() : performance.now());

export class ChatStore {
  /** Every reduced state; replays the current one to new subscribers. */
  readonly state$: BehaviorSubject<ChatState>;
  readonly state: Readable<ChatState>;
  /** Joined channels (and drafts), in osu-web's order. */
  readonly channels: Readable<readonly Channel[]>;
  /** Unread channels and mentions over every channel (each channel's part is memoised). */
  readonly unreadSummary: Readable<UnreadSummary>;

  readonly #batches$ = new Subject<readonly ChatAction[]>();
  #queue: ChatAction[] = [];
  #flushScheduled = false;
  #lastFlushAt = Number.NEGATIVE_INFINITY;
  /** One per channel id: `unreadSummary` reads them, so each channel's unread state is computed once. */
  readonly #unreadReadables = new Map<number, Readable<Unread | undefined>>();
  /** The empty messages entry of each channel without one, the same object every time. */
  readonly #emptyLists = new Map<number, ChannelMessages>();

  constructor(options: StateOptions) {
    this.state$ = new BehaviorSubject<ChatState>(INITIAL_STATE);
    this.#batches$
      .pipe(
        scan(
          (state: ChatState, batch: readonly ChatAction[]) => reduce(state, batch, options),
          INITIAL_STATE,
        ),
        distinctUntilChanged(),
      )
      .subscribe(this.state$);
    this.state = readableFromSubject(this.state$);
    this.channels = selectReadable(
      this.state,
      (state) => sortChannels(state.channels.values()).filter((c) => c.loaded || c.draft),
      sameItems,
    );
    this.unreadSummary = selectReadable(
      this.state,
      (state) => {
        let unreadChannels = 0;
        let mentions = 0;
        for (const channel of state.channels.values()) {
          if (!channel.loaded && !channel.draft) continue;
          const unread = this.unread(channel.id).getSnapshot();
          if (unread?.hasUnread) unreadChannels += 1;
          mentions += unread?.mentions ?? 0;
        }
        return { unreadChannels, mentions };
      },
      sameValues,
    );
  }

  get snapshot(): ChatState {
    return this.state$.getValue();
  }

  /** Applies an action now (after anything queued, to keep order). */
  dispatch(action: ChatAction): void {
    this.#queue.push(action);
    this.flush();
  }

  /**
   * Queues an action for the next macrotask: the frames of one event-loop turn become one state change. In a
   * burst (a state change less than {@link BURST_INTERVAL_MS} ago), it waits out that interval instead: each
   * state change copies every message list it touches, so a burst over many channels is applied in a few
   * large batches rather than many small ones.
   */
  enqueue(action: ChatAction): void {
    this.#queue.push(action);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const wait = this.#lastFlushAt + BURST_INTERVAL_MS - now();
    if (wait > 0) setTimeout(() => this.flush(), wait);
    else (typeof setImmediate === 'function' ? setImmediate : setTimeout)(() => this.flush());
  }

  /** Applies everything queued. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#queue.length === 0) return;
    this.#lastFlushAt = now();
    const batch = this.#queue;
    this.#queue = [];
    this.#batches$.next(batch);
  }

  /** The real id of a channel (a promoted draft's id resolves to its channel). */
  resolve(channelId: number): number {
    return realId(this.snapshot, channelId);
  }

  /**
   * A channel by id (a promoted draft's id follows to its channel); a new Readable each call (ChatClient keeps
   * one per id).
   */
  channel(channelId: number): Readable<Channel | undefined> {
    return selectReadable(this.state, (state) => state.channels.get(realId(state, channelId)));
  }

  /**
   * The channel once it is loaded (listed with its details), in the current state or a later one; then it
   * completes. What waits for a join, or for the channel list, subscribes to this.
   */
  loaded$(channelId: number): Observable<Channel> {
    return observeReadable(this.channel(channelId)).pipe(
      first((channel): channel is Channel => channel?.loaded === true),
    );
  }

  /** A channel's loaded messages (an empty entry when there are none); a new Readable each call. */
  messages(channelId: number): Readable<ChannelMessages> {
    return selectReadable(this.state, (state) => {
      const id = realId(state, channelId);
      return state.messages.get(id) ?? cached(this.#emptyLists, id, () => emptyMessages(id));
    });
  }

  /** A channel's unread state; the same Readable for the same id. */
  unread(channelId: number): Readable<Unread | undefined> {
    return cached(this.#unreadReadables, channelId, () => {
      // computeUnread scans the loaded messages: it runs again only when one of its inputs changed.
      let inputs: unknown[] = [];
      let unread: Unread | undefined;
      return selectReadable(
        this.state,
        (state) => {
          const id = realId(state, channelId);
          const channel = state.channels.get(id);
          const loaded = state.messages.get(id);
          const next = [channel, loaded, state.me];
          if (!sameItems(next, inputs)) {
            inputs = next;
            unread = channel && computeUnread(channel, loaded, state.me);
          }
          return unread;
        },
        (a, b) => a === b || (a !== undefined && b !== undefined && sameValues(a, b)),
      );
    });
  }
}

/** The id a channel has in `state`: a promoted draft's id resolves to the channel it became. */
function realId(state: ChatState, channelId: number): number {
  return state.aliases.get(channelId) ?? channelId;
}

/**
 * The value `map` holds for `key`, created (and stored) on the first call: one object per key, so callers get
 * the same one every time.
 */
export function cached<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
