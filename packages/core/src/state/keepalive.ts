// The keepalive's request and its bookkeeping: `POST /chat/ack` with osu-web's `since`/`history_since`,
// silences applied to PUBLIC channels, and "delivery at risk" windows (ack late past the server's activity
// timeout) reported so the client can heal them by backfill.
import type { ChatError } from '../errors.js';
import type { ChatHttp } from '../transport/http.js';
import { decodeList, decodeSilence, expectObject } from '../transport/wire.js';
import type { Clock } from '../types.js';
import type { ChatStore } from './store.js';

export interface KeepaliveOptions {
  store: ChatStore;
  http: ChatHttp;
  clock: Clock;
  onError: (error: ChatError) => void;
  /**
   * Called after a successful ack that came later than the activity timeout after the previous one, with the
   * lower, per channel, of what `checkpoint` returned when this ack and the previous good one were sent.
   */
  onRiskHealed: (checkpoint: Map<number, number>) => void;
  /** Backfill cursors as they stand before an ack is sent: nothing after them is known to have arrived. */
  checkpoint: () => Map<number, number>;
  /** osu!'s activity timeout: PUBLIC messages stop arriving this long after the last ack (60 s). */
  activityTimeoutMs: number;
}

export class Keepalive {
  /** Highest message id received from any source: the `since` osu-web sends. */
  #lastReceivedId = 0;
  /** Highest silence id seen: the `history_since` osu-web sends. */
  #maxSilenceId: number | null = null;
  /**
   * When the last successful ack came back, and the backfill cursors as they stood when it was sent: delivery
   * was sure up to there.
   */
  #lastGoodAck: { at: number; checkpoint: Map<number, number> } | null = null;
  readonly #options: KeepaliveOptions;

  constructor(options: KeepaliveOptions) {
    this.#options = options;
  }

  /** Records a received message id. */
  noteMessageId(id: number): void {
    if (id > this.#lastReceivedId) this.#lastReceivedId = id;
  }

  /** Whether the user is in any PUBLIC channel (only those need acks to keep receiving). */
  needed(): boolean {
    for (const channel of this.#options.store.snapshot.channels.values()) {
      if (channel.type === 'PUBLIC' && channel.loaded) return true;
    }
    return false;
  }

  /** `POST /chat/ack`. Throws a ChatError on failure (the session machine decides what an auth error means). */
  async ack(): Promise<void> {
    const { http, clock } = this.#options;
    const checkpoint = this.#options.checkpoint();
    // An undefined `history_since` is left out of the JSON body.
    const response = await http.request<unknown>('POST', '/chat/ack', {
      body: { since: this.#lastReceivedId, history_since: this.#maxSilenceId ?? undefined },
    });
    const now = clock.now();
    // Measured from the last good ack even across reconnects: osu! tracks activity per user, not per socket,
    // so a reconnect does not refresh it; only an ack that went through does.
    const last = this.#lastGoodAck;
    const late = last !== null && now - last.at > this.#options.activityTimeoutMs;
    // The user's other sessions may have acked first and resumed delivery, moving this session's cursors past
    // the withheld messages: heal from where the cursors stood at the last good ack as well.
    const healFrom = late ? earliest(checkpoint, last.checkpoint) : null;
    this.#lastGoodAck = { at: now, checkpoint };
    const json = expectObject(response, 'ack response');
    if (Array.isArray(json.silences)) {
      this.applySilences(decodeList(json.silences, decodeSilence, this.#options.onError));
    }
    if (healFrom) this.#options.onRiskHealed(healFrom);
  }

  /** Silences from ack or `chat/updates`: their users' messages leave PUBLIC channels. */
  applySilences(silences: readonly { id: number; userId: number }[]): void {
    if (silences.length === 0) return;
    // Silence ids are positive (wire.ts checks): 0 is below any of them.
    for (const silence of silences) this.#maxSilenceId = Math.max(this.#maxSilenceId ?? 0, silence.id);
    this.#options.store.dispatch({ type: 'users.silenced', userIds: silences.map((s) => s.userId) });
  }

  /** The `since`/`history_since` pair for `GET /chat/updates`. */
  cursors(): { since: number; historySince: number | null } {
    return { since: this.#lastReceivedId, historySince: this.#maxSilenceId };
  }
}

/** Per channel, the lower of two cursor maps. */
function earliest(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  const result = new Map(a);
  for (const [id, cursor] of b) result.set(id, Math.min(cursor, result.get(id) ?? cursor));
  return result;
}
