// One channel's messages while the reducer applies a batch. Live traffic only appends, so the list starts as a
// view of the previous state's array plus a tail of new messages, and is copied into a mutable array only when
// a batch does something else (an insert by id, a removal, a filter). The batch's result is then built with
// one copy, however many messages the batch appended: a burst costs one copy per channel per batch.
import type { ChannelMessages, Message } from '../types.js';

/** `ChannelMessages` without its channel id: the flags a working list carries. */
type Flags = Omit<ChannelMessages, 'channelId' | 'messages'>;

export class WorkingList {
  /** The previous state's messages; `[0, baseEnd)` are sent (ascending by id), the rest unsent. */
  readonly #base: readonly Message[];
  readonly #baseEnd: number;
  /** New sent messages after the base's, while `copy` is null. */
  readonly #tail: Message[] = [];
  /** Every sent message, once something other than an append needed a mutable array. */
  #copy: Message[] | null = null;
  /** Pending and failed messages, in send order. */
  readonly unsent: Message[];
  flags: Flags;
  /** Something in this list changed in this batch. */
  changed: boolean;
  /** A sent message was added in this batch; only then may the cap evict (not on a loading flag change). */
  grew = false;
  /** The newest id added in this batch, and the newest of the user's own (0: none). */
  newestId = 0;
  ownNewestId = 0;

  constructor(previous: ChannelMessages, isNew: boolean) {
    const { messages } = previous;
    let end = messages.length;
    while (end > 0 && (messages[end - 1] as Message).status !== 'sent') end -= 1;
    this.#base = messages;
    this.#baseEnd = end;
    this.unsent = messages.slice(end);
    this.flags = {
      loaded: previous.loaded,
      hasMore: previous.hasMore,
      loadingOlder: previous.loadingOlder,
      keepsOlder: previous.keepsOlder,
      continuity: previous.continuity,
    };
    this.changed = isNew;
  }

  /** Sets a flag, noting a change only when its value differs. */
  set<K extends keyof Flags>(flag: K, value: Flags[K]): void {
    if (this.flags[flag] === value) return;
    this.flags = { ...this.flags, [flag]: value };
    this.changed = true;
  }

  /** The sent messages as one mutable array (copied from the base once per batch, at most). */
  sent(): Message[] {
    this.#copy ??= this.#base.slice(0, this.#baseEnd).concat(this.#tail);
    return this.#copy;
  }

  /** Replaces the sent messages (a filter). */
  replaceSent(messages: Message[]): void {
    this.#copy = messages;
    this.changed = true;
  }

  /** Whether a sent message matches, without copying anything. */
  someSent(test: (message: Message) => boolean): boolean {
    if (this.#copy) return this.#copy.some(test);
    for (let i = 0; i < this.#baseEnd; i += 1) if (test(this.#base[i] as Message)) return true;
    return this.#tail.some(test);
  }

  /** Whether any message, sent or not, has this key. */
  hasKey(key: string): boolean {
    return this.someSent((m) => m.key === key) || this.unsent.some((m) => m.key === key);
  }

  /** Inserts a sent message by id. False (and nothing changes) when that id is already here. */
  insert(message: Message): boolean {
    const id = message.id as number;
    const last = this.#copy
      ? this.#copy[this.#copy.length - 1]
      : (this.#tail[this.#tail.length - 1] ?? this.#base[this.#baseEnd - 1]);
    if (last === undefined || (last.id as number) < id) {
      (this.#copy ?? this.#tail).push(message);
    } else {
      const sent = this.sent();
      const position = upperBound(sent, id);
      if (position > 0 && sent[position - 1]?.id === id) return false;
      sent.splice(position, 0, message);
    }
    this.changed = true;
    this.grew = true;
    if (id > this.newestId) this.newestId = id;
    return true;
  }

  /** Replaces the sent message with the same id (if there is one). */
  replace(message: Message): void {
    const sent = this.sent();
    const index = upperBound(sent, message.id as number) - 1;
    if (sent[index]?.id !== message.id) return;
    sent[index] = message;
    this.changed = true;
  }

  /**
   * The list's new `ChannelMessages`, or null when nothing changed. Keeps at most `cap` sent messages, evicting
   * the oldest, but only in a batch that added one, and not while it keeps older pages (`keepsOlder`).
   */
  finish(channelId: number, cap: number): ChannelMessages | null {
    const size = this.#copy ? this.#copy.length : this.#baseEnd + this.#tail.length;
    const overflow = this.grew && !this.flags.keepsOlder ? size - cap : 0;
    if (overflow > 0) this.set('hasMore', true);
    if (!this.changed) return null;
    const start = Math.max(overflow, 0);
    let messages: readonly Message[];
    if (this.#copy) {
      if (start > 0) this.#copy.splice(0, start);
      messages = this.unsent.length === 0 ? this.#copy : this.#copy.concat(this.unsent);
    } else if (start >= this.#baseEnd) {
      messages = this.#tail.slice(start - this.#baseEnd).concat(this.unsent);
    } else if (start > 0 || this.#baseEnd < this.#base.length) {
      messages = this.#base.slice(start, this.#baseEnd).concat(this.#tail, this.unsent);
    } else {
      // The common case, live messages appended: one copy (none when only a flag changed).
      messages =
        this.#tail.length === 0 && this.unsent.length === 0
          ? this.#base
          : this.#base.concat(this.#tail, this.unsent);
    }
    return { channelId, messages, ...this.flags };
  }
}

/** Index of the first message with id > `id` (sent messages only). */
function upperBound(messages: readonly Message[], id: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (((messages[mid] as Message).id as number) <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
