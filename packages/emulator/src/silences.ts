// Silences (§3.5): osu!'s `user_account_history` rows for restrictions and silences, and the rule that picks
// which of them `POST /chat/ack` and `GET /chat/updates` report.
import type { Clock } from './clock.js';
import type { MessageLog } from './messageLog.js';
import { silenceJson } from './render.js';
import type { SilenceRecord } from './types.js';

/** `scopeRecentForChat`: only silences of the last hour are ever reported. */
const SILENCE_WINDOW_MS = 3_600_000;
const SILENCE_LIMIT = 100;

export class Silences {
  private readonly rows: SilenceRecord[] = [];
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly messages: MessageLog,
  ) {}

  /** Records a row when a user is restricted (1) or silenced (2). */
  add(userId: number, banStatus: 1 | 2): SilenceRecord {
    // A DATETIME column: whole seconds, like message timestamps it is compared with.
    const timestamp = Math.floor(this.clock.now() / 1000) * 1000;
    const record: SilenceRecord = { id: this.nextId++, userId, banStatus, timestamp };
    this.rows.push(record);
    return record;
  }

  /**
   * Silences of the last hour: with `historySince`, those with a greater id, highest id first; otherwise those
   * newer than the newest message with id ≤ `since` (none when there is no such message), newest first.
   */
  select(since: number, historySince: number | null) {
    const cutoff = this.clock.now() - SILENCE_WINDOW_MS;
    // `scopeRecentForChat`: `timestamp > now - 1 hour` (strict).
    const recent = this.rows.filter((s) => s.timestamp > cutoff);
    if (historySince !== null) {
      return recent
        .filter((s) => s.id > historySince)
        .sort((a, b) => b.id - a.id)
        .slice(0, SILENCE_LIMIT)
        .map(silenceJson);
    }
    const reference = this.messages.latestUpTo(since);
    if (!reference) return [];
    return recent
      .filter((s) => s.timestamp > reference.timestamp)
      .sort((a, b) => b.timestamp - a.timestamp || b.id - a.id)
      .slice(0, SILENCE_LIMIT)
      .map(silenceJson);
  }

  clear(): void {
    this.rows.length = 0;
    this.nextId = 1;
  }
}
