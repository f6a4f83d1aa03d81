// Types of the soak's entry points, for the TypeScript test that runs the short version in CI.

export interface SoakOptions {
  /** How long the chaos runs; healing and checking come after. */
  durationMs: number;
  /** PRNG seed of the chaos, the senders and the traffic; printed in the report. */
  seed?: number | undefined;
  /** Longest wait for sends to settle and clients to converge once the chaos stopped. Default 90 s. */
  settleTimeoutMs?: number;
  /** Messages each client keeps per channel. Default 60. */
  messageCap?: number;
  /** Memory sampling period. Default 2 s. */
  sampleMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Totals over every client's channels (see `compareChannel` in check.js). */
export interface ChannelTotals {
  checked: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  phantom: number;
  altered: number;
}

/** Totals over every send (see `checkSends` in check.js). */
export interface SendTotals {
  sends: number;
  delivered: number;
  failed: number;
  unsettled: number;
  lostSends: number;
  misattributed: number;
  doublePosted: number;
  failedButDelivered: number;
}

export interface SoakReport {
  ok: boolean;
  failures: string[];
  seed: number;
  durationMs: number;
  settleMs: number;
  clients: string[];
  faults: {
    armed: Record<'500' | '503' | '429' | 'delay', number>;
    met: Record<'500' | '503' | '429' | 'timeout' | 'refused' | 'reset', number>;
    genuine429: number;
    unexpected5xx: number;
    requests: number;
    socketDrops: number;
    socketsDropped: number;
    keepaliveLapses: number;
    restarts: number;
  };
  reconnects: number;
  messages: ChannelTotals & { onServer: number };
  sends: SendTotals;
  /** Clients or channels not live at the end, as `client #channel: continuity`. */
  notLive: string[];
  /** The first 20 lost messages, as `client #channel: message id "content" (client holds first…last)`. */
  lostDetails: string[];
  memory: {
    start: number;
    base: number;
    peak: number;
    end: number;
    slopePerMin: number;
    samples: number;
    flat: boolean;
    collected: boolean;
  };
}

export function runSoak(options: SoakOptions): Promise<SoakReport>;
