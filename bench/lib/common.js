// What every benchmark script shares: the --quick flag, the machine line, medians, and the result table
// (figure | engine | baseline | ratio | target | verdict) that each script prints and the runner summarises.
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** `--quick` (or OSU_CHAT_BENCH_QUICK=1): smaller inputs and fewer runs, for CI and a first look. */
export const quick = process.argv.includes('--quick') || Boolean(process.env.OSU_CHAT_BENCH_QUICK);

/** `--summary=<file>` (set by run.js): where `report` appends its rows as JSON lines. */
const summaryFile = process.argv.find((arg) => arg.startsWith('--summary='))?.slice('--summary='.length);

/** The machine the figures came from: CPU model, cores, Node version, platform. */
export function machine() {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** The 1-minute load average: other work on the machine makes wall-clock figures noisier. */
export function load() {
  return os.loadavg()[0].toFixed(1);
}

/** Prints the header of a benchmark: its title, the machine and the mode. */
export function header(title, detail) {
  console.log(`\n## ${title}\n`);
  console.log(`${detail}`);
  console.log(`machine: ${machine()}; load ${load()}; mode: ${quick ? 'quick' : 'full'}\n`);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const now = () => performance.now();

/** CPU time (user + system, ms) this process used since `start` (a `process.cpuUsage()` value). */
export function cpuMs(start) {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/** Resolves after the event loop had a turn (lets sockets and timers run). */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition()` is true, checking every `everyMs`; throws after `timeoutMs` with `what`. */
export async function until(condition, what, timeoutMs = 30_000, everyMs = 2) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Forces full collections until the heap stops shrinking; needs `node --expose-gc`. */
export async function settledHeap() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i += 1) {
    globalThis.gc();
    await tick();
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(last - used) < 4096) return used;
    last = used;
  }
  return last;
}

export function fmt(value, digits = 0) {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * One result row. `pass` is true/false for a row with a target, null for a figure reported without one.
 * `ratio` is engine/baseline unless given.
 */
export function row(figure, value, baseline, { digits = 0, ratio, target = '—', pass = null } = {}) {
  const r = ratio ?? (typeof value === 'number' && typeof baseline === 'number' ? value / baseline : null);
  return {
    figure,
    value: fmt(value, digits),
    baseline: fmt(baseline, digits),
    ratio: fmt(r, 2),
    target,
    pass,
  };
}

/** Prints the rows as a Markdown table and records them for the runner's summary. */
export function report(name, rows) {
  const head = ['figure', 'engine', 'baseline', 'ratio', 'target', 'verdict'];
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.baseline,
    r.ratio,
    r.target,
    r.pass === null ? '' : r.pass ? 'PASS' : 'MISS',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(head));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const c of cells) console.log(line(c));
  console.log('');
  if (summaryFile) appendFileSync(summaryFile, `${JSON.stringify({ name, rows })}\n`);
}

/** Formats a byte count in kB (1 kB = 1,000 bytes, as the budgets are written). */
export function kB(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}
