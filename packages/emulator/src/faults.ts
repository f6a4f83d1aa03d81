/** A scripted failure for matching API requests (control API `PUT /_emulator/faults`). */
export interface Fault {
  method: string;
  /** Request path; `*` matches any run of characters, e.g. `/api/v2/chat/channels/*` . */
  path: string;
  /** Respond with this status instead of handling the request; omitted = handle it normally after the delay. */
  status?: number;
  /** Response body for `status`; defaults to `{"error": null}`. */
  body?: unknown;
  /** Wait this long (real time) before responding. */
  delay_ms?: number;
  /** How many requests it applies to; omitted = until cleared. */
  times?: number;
}

interface ArmedFault extends Fault {
  pattern: RegExp;
  remaining: number;
}

/** The active faults, consulted in order; the first match applies and is used up by one. */
export class FaultTable {
  private faults: ArmedFault[] = [];

  set(faults: readonly Fault[]): void {
    this.faults = faults.map((f) => ({
      ...f,
      method: f.method.toUpperCase(),
      pattern: new RegExp(`^${f.path.split('*').map(escapeRegExp).join('.*')}$`),
      remaining: f.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  clear(): void {
    this.faults = [];
  }

  get size(): number {
    return this.faults.length;
  }

  /** The fault for this request, if any; counts it against `times`. */
  take(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      (f) => (f.method === '*' || f.method === method) && f.pattern.test(path) && f.remaining > 0,
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
