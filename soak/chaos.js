// The chaos the soak injects, and the bookkeeping of what was injected. Faults go through the emulator's
// control API (socket drops, scripted HTTP answers and delays, its clock) and the restartable front; what the
// clients actually met is counted on their side by a fetch wrapper, since armed faults are not all used.

/** Marks the emulator's scripted error bodies, to tell an injected 429 from osu!'s own throttle. */
export const FAULT_MARK = 'soak: injected';

/** Fault counters by kind, shared by the chaos loop and every client's fetch. */
export function faultCounters() {
  return {
    /** Armed through the control API (not all are used before the next tick replaces them). */
    armed: { 500: 0, 503: 0, 429: 0, delay: 0 },
    /** What the clients met. */
    met: { 500: 0, 503: 0, 429: 0, timeout: 0, refused: 0, reset: 0 },
    /** osu!'s own answers that were not injected (the chat throttle's 429). */
    genuine429: 0,
    /** 5xx the emulator produced itself: an emulator bug, never expected. */
    unexpected5xx: 0,
    requests: 0,
    socketDrops: 0,
    socketsDropped: 0,
    keepaliveLapses: 0,
    restarts: 0,
  };
}

/**
 * A fetch that counts requests and the faults they met. A request the client aborted is a timeout (the soak
 * never cancels a request otherwise); a refused connection is the front being down.
 */
export function countingFetch(counters) {
  return async (input, init) => {
    counters.requests += 1;
    let response;
    try {
      response = await globalThis.fetch(input, init);
    } catch (error) {
      const aborted = init?.signal?.aborted || (input instanceof Request && input.signal.aborted);
      const code = causeCode(error);
      if (aborted) counters.met.timeout += 1;
      else if (code === 'ECONNREFUSED') counters.met.refused += 1;
      else counters.met.reset += 1;
      throw error;
    }
    const { status } = response;
    if (status === 429 || status >= 500) {
      const injected = (await response.clone().text()).includes(FAULT_MARK);
      if (injected && counters.met[status] !== undefined) counters.met[status] += 1;
      else if (status === 429) counters.genuine429 += 1;
      else counters.unexpected5xx += 1;
    }
    return response;
  };
}

function causeCode(error) {
  for (let cause = error, depth = 0; cause && depth < 6; cause = cause.cause, depth += 1) {
    if (typeof cause.code === 'string') return cause.code;
  }
  return undefined;
}

/**
 * Runs the chaos until `stop()`: a random user's sockets (sometimes everyone's) dropped every 2–5 s; every
 * 500 ms, scripted faults armed so that about `rates` of all requests meet each kind; at `lapseAt`, a
 * keepalive lapse: the emulator's clock and the clients' `clock` jump 61 s together (every ack is then past
 * osu!'s 60 s window, on both sides, as after a machine slept); the front restarted once at `restartAt` for
 * `restartDownMs`.
 */
export function startChaos(options) {
  const { emu, front, clock, users, counters, random, lapseAt, restartAt, restartDownMs, rates } = options;
  const timers = new Set();
  let stopped = false;
  let restarting = Promise.resolve();
  const later = (ms, run) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) run();
    }, ms);
    timers.add(timer);
  };

  const drop = () => {
    const all = random() < 0.25;
    const user = users[Math.floor(random() * users.length)];
    const { dropped } = emu.dropSockets(all ? {} : { user_id: user.id });
    counters.socketDrops += 1;
    counters.socketsDropped += dropped;
    later(2000 + random() * 3000, drop);
  };

  // Feedback, not a fixed schedule: faults armed and not used before the next tick are replaced, so each tick
  // arms what brings the share the clients actually met back up to its rate (at most 3 of a kind at once).
  let lastDelayAt = 0;
  const armFaults = () => {
    const faults = [];
    const arm = (rate, met, make) => {
      const count = Math.min(3, Math.max(0, Math.ceil(counters.requests * rate - met)));
      for (let i = 0; i < count; i += 1) faults.push(make());
    };
    const { met } = counters;
    arm(rates.error, met[500] + met[503], () => {
      const status = random() < 0.5 ? 500 : 503;
      counters.armed[status] += 1;
      return { method: '*', path: '/api/v2/*', status, body: { error: `${FAULT_MARK} ${status}` }, times: 1 };
    });
    arm(rates.rateLimit, met[429], () => {
      counters.armed[429] += 1;
      return { method: '*', path: '/api/v2/*', status: 429, body: { error: `${FAULT_MARK} 429` }, times: 1 };
    });
    // A delay shows as a timeout only seconds later: one at a time, or the feedback would overshoot.
    if (Date.now() - lastDelayAt > rates.delayMs && counters.requests * rates.delay - met.timeout >= 1) {
      lastDelayAt = Date.now();
      counters.armed.delay += 1;
      faults.push({ method: '*', path: '/api/v2/*', delay_ms: rates.delayMs, times: 1 });
    }
    // Spread the kinds: the first requests after a tick should not always meet the same one.
    for (let i = faults.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [faults[i], faults[j]] = [faults[j], faults[i]];
    }
    emu.setFaults(faults);
    later(500, armFaults);
  };

  later(1000 + random() * 2000, drop);
  later(500, armFaults);
  later(lapseAt, () => {
    emu.clock.advance(61_000);
    clock.advance(61_000);
    counters.keepaliveLapses += 1;
  });
  later(restartAt, () => {
    counters.restarts += 1;
    restarting = front.restart(restartDownMs);
  });

  return {
    /** Stops injecting, clears the faults and waits for a restart in progress to finish. */
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      emu.clearFaults();
      await restarting;
    },
  };
}
