// Memory sampling and the printed report.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** `global.gc`, exposing it at run time when node was started without `--expose-gc`. */
function findGc() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc');
  } catch {
    return null;
  }
}

/**
 * Samples `heapUsed` after a full collection every `intervalMs`. `summary(warmupMs)` gives the value after
 * warm-up (the mean of the first samples past it), the peak, the end value and the least-squares slope after
 * warm-up in MB per minute.
 */
export function startMemorySampler(intervalMs) {
  const gc = findGc();
  const started = Date.now();
  const samples = [];
  const sample = () => {
    gc?.();
    samples.push({ at: Date.now() - started, heap: process.memoryUsage().heapUsed });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    collected: gc !== null,
    sample,
    stop() {
      clearInterval(timer);
      sample();
    },
    summary(warmupMs) {
      const after = samples.filter((s) => s.at >= warmupMs);
      const steady = after.length >= 2 ? after : samples.slice(-2);
      const base = mean(steady.slice(0, 3).map((s) => s.heap));
      const end = samples[samples.length - 1].heap;
      const peak = Math.max(...samples.map((s) => s.heap));
      return { start: samples[0].heap, base, peak, end, slopePerMin: slope(steady), samples: samples.length };
    },
  };
}

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** Bytes per minute, least squares over the samples. */
function slope(samples) {
  if (samples.length < 2) return 0;
  const mx = mean(samples.map((s) => s.at));
  const my = mean(samples.map((s) => s.heap));
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - mx) * (s.heap - my);
    den += (s.at - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The report as a two-column table. */
export function formatReport(report) {
  const { faults, messages, sends, memory } = report;
  const met = faults.met;
  const rows = [
    [
      'duration',
      `${(report.durationMs / 1000).toFixed(0)} s of chaos + ${(report.settleMs / 1000).toFixed(1)} s to heal`,
    ],
    ['seed', String(report.seed)],
    ['clients', report.clients.join(', ')],
    ['', ''],
    ['faults injected', ''],
    ['  socket drops', `${faults.socketDrops} (${faults.socketsDropped} sockets)`],
    ['  HTTP 500 / 503', `${met[500]} / ${met[503]}  (armed ${faults.armed[500]} / ${faults.armed[503]})`],
    [
      '  HTTP 429 injected',
      `${met[429]}  (armed ${faults.armed[429]}; osu! throttle 429s: ${faults.genuine429})`,
    ],
    ['  delayed past timeout', `${met.timeout}  (armed ${faults.armed.delay})`],
    ['  keepalive lapse', String(faults.keepaliveLapses)],
    ['  server restart', `${faults.restarts} (refused ${met.refused}, reset ${met.reset} requests)`],
    ['  HTTP requests', `${faults.requests} (${pct(met[500] + met[503], faults.requests)} 5xx)`],
    ['reconnects', String(report.reconnects)],
    ['', ''],
    ['messages on server', String(messages.onServer)],
    ['messages checked', String(messages.checked)],
    ['lost', String(messages.lost)],
    ['duplicated', String(messages.duplicated)],
    [
      'out of order / phantom / altered',
      `${messages.outOfOrder} / ${messages.phantom} / ${messages.altered}`,
    ],
    ['channels not live at the end', String(report.notLive.length ? report.notLive.join(', ') : 0)],
    ['', ''],
    ['sends', String(sends.sends)],
    ['  delivered (exactly once)', String(sends.delivered - sends.lostSends)],
    ['  reported failed', `${sends.failed} (of which on the server: ${sends.failedButDelivered})`],
    [
      '  unsettled / lost / misattributed',
      `${sends.unsettled} / ${sends.lostSends} / ${sends.misattributed}`,
    ],
    ['double-posted', String(sends.doublePosted)],
    ['', ''],
    ['memory (heapUsed after gc)', memory.collected ? '' : '(no gc: noisy)'],
    ['  start / after warm-up', `${mb(memory.start)} / ${mb(memory.base)}`],
    ['  peak / end', `${mb(memory.peak)} / ${mb(memory.end)}`],
    ['  slope after warm-up', `${(memory.slopePerMin / 1024 / 1024).toFixed(2)} MB/min`],
    ['  flat (end ≤ warm-up + 25 %)', memory.flat ? 'yes' : 'NO'],
    ['', ''],
    ['verdict', report.ok ? 'PASS' : `FAIL: ${report.failures.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const table = rows.map(([k, v]) => (k === '' ? '' : `${k.padEnd(width)}  ${v}`)).join('\n');
  const lost = report.lostDetails.length > 0 ? `\n\nlost:\n  ${report.lostDetails.join('\n  ')}` : '';
  return table + lost;
}

function pct(part, whole) {
  return whole === 0 ? '0 %' : `${((part / whole) * 100).toFixed(1)} %`;
}
