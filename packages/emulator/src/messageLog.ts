// Every message the world holds. Ids are one global ascending sequence (osu!'s `messages` table), so each
// channel's list and the whole log stay sorted by id and are searched by bisection.
import type { MessageRecord } from './types.js';

export class MessageLog {
  /** channelId → messages ascending by id. */
  private readonly byChannel = new Map<number, MessageRecord[]>();
  /** Every message, ascending by id. */
  private readonly everything: MessageRecord[] = [];

  get count(): number {
    return this.everything.length;
  }

  get all(): readonly MessageRecord[] {
    return this.everything;
  }

  /** Starts the (empty) list of a new channel; messages for a channel without one go to the log only. */
  addChannel(channelId: number): void {
    this.byChannel.set(channelId, []);
  }

  append(message: MessageRecord): void {
    this.byChannel.get(message.channelId)?.push(message);
    this.everything.push(message);
  }

  inChannel(channelId: number): readonly MessageRecord[] {
    return this.byChannel.get(channelId) ?? [];
  }

  /** The newest message with id ≤ `id`, in any channel: the reference point of §3.5's silence selection. */
  latestUpTo(id: number): MessageRecord | undefined {
    return this.everything[upperBound(this.everything, id) - 1];
  }

  /**
   * One history page of a channel (§2.11), ascending: the first `limit` messages after `since`, else the last
   * `limit` before `until` (or the newest `limit` when both are null).
   */
  page(
    channelId: number,
    range: { since: number | null; until: number | null; limit: number },
  ): readonly MessageRecord[] {
    const all = this.inChannel(channelId);
    if (range.since !== null) {
      const start = upperBound(all, range.since);
      return all.slice(start, start + range.limit);
    }
    const end = range.until === null ? all.length : lowerBound(all, range.until);
    return all.slice(Math.max(0, end - range.limit), end);
  }

  clear(): void {
    this.byChannel.clear();
    this.everything.length = 0;
  }
}

/** Index of the first message with id > `id`. */
function upperBound(messages: readonly MessageRecord[], id: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((messages[mid] as MessageRecord).id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first message with id ≥ `id`. */
function lowerBound(messages: readonly MessageRecord[], id: number): number {
  return upperBound(messages, id - 1);
}
