// Read markers: the local marker moves at once (never backwards); the server hears about it at most once a
// second per channel (osu-web's throttle), always with the newest id.
import { asChatError, type ChatError } from '../errors.js';
import type { ChatHttp } from '../transport/http.js';
import type { Clock } from '../types.js';
import type { ChatStore } from './store.js';

export interface ReadMarkerOptions {
  store: ChatStore;
  http: ChatHttp;
  clock: Clock;
  onError: (error: ChatError) => void;
  /** Minimum time between two requests for one channel. */
  intervalMs: number;
}

interface ChannelMarker {
  /** The newest id asked for; sent already unless `timer` waits to send it. */
  wantedId: number;
  lastSentAt: number;
  timer: unknown;
}

export class ReadMarkers {
  readonly #markers = new Map<number, ChannelMarker>();
  readonly #options: ReadMarkerOptions;

  constructor(options: ReadMarkerOptions) {
    this.#options = options;
  }

  /** Marks `channelId` read up to `messageId` (default: its last message). */
  mark(channelId: number, messageId?: number): void {
    const { store, clock, intervalMs } = this.#options;
    const channel = store.snapshot.channels.get(channelId);
    if (!channel || channel.draft) return;
    const id = messageId ?? channel.lastMessageId;
    if (id == null || id <= 0) return;
    store.dispatch({ type: 'read.marked', channelId, messageId: id });
    const marker = this.#markers.get(channelId) ?? { wantedId: 0, lastSentAt: -Infinity, timer: null };
    this.#markers.set(channelId, marker);
    if (id <= marker.wantedId) return;
    marker.wantedId = id;
    if (marker.timer !== null) return;
    const wait = marker.lastSentAt + intervalMs - clock.now();
    if (wait <= 0) this.#flush(channelId, marker);
    else marker.timer = clock.setTimeout(() => this.#flush(channelId, marker), wait);
  }

  dispose(): void {
    for (const marker of this.#markers.values()) {
      if (marker.timer !== null) this.#options.clock.clearTimeout(marker.timer);
    }
    this.#markers.clear();
  }

  /** Sends `wantedId`: called only when it is newer than what was sent, by `mark` or the timer it set. */
  #flush(channelId: number, marker: ChannelMarker): void {
    marker.timer = null;
    marker.lastSentAt = this.#options.clock.now();
    this.#options.http
      .request('PUT', `/chat/channels/${channelId}/mark-as-read/${marker.wantedId}`)
      .catch((error: unknown) => this.#options.onError(asChatError(error, 'network', 'mark-as-read failed')));
  }
}
