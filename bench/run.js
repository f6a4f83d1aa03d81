// Runs every benchmark, each in its own `node --expose-gc` process, and ends with a summary of the targets.
//
//   npm run bench                      build the packages, then everything (about 5 minutes on 2 cores)
//   npm run bench -- --quick           smaller inputs and fewer runs (about a minute and a half)
//   node bench/run.js ingest memory    only these (by file name), on whatever is built
//
// Exits non-zero only when a benchmark fails to run; a missed target is reported, not an error (the size
// budgets are enforced separately by `npm run size`; CI runs this script with `--quick` to check it completes).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, machine, quick } from './lib/common.js';

const BENCHMARKS = ['ingest', 'scaling', 'memory', 'backfill', 'react', 'bundle', 'emulatorFanout'];
const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unknown = only.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}
const selected = only.length > 0 ? BENCHMARKS.filter((name) => only.includes(name)) : BENCHMARKS;

const dir = mkdtempSync(path.join(os.tmpdir(), 'osu-chat-bench-'));
const summaryFile = path.join(dir, 'summary.jsonl');
console.log(`# osu-chat benchmarks (${quick ? 'quick' : 'full'})`);
console.log(`machine: ${machine()}; load ${load()} at start`);

const started = Date.now();
const failed = [];
for (const name of selected) {
  const t0 = Date.now();
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', path.join(here, `${name}.js`), ...(quick ? ['--quick'] : []), `--summary=${summaryFile}`],
    { stdio: 'inherit' },
  );
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (child.status !== 0) {
    failed.push(name);
    console.error(`\n${name} FAILED (exit ${child.status ?? child.signal}) after ${seconds} s`);
  } else {
    console.log(`(${name}: ${seconds} s)`);
  }
}

let results = [];
try {
  results = readFileSync(summaryFile, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
} catch {
  // No benchmark reported a row.
}
rmSync(dir, { recursive: true, force: true });

console.log(`\n## Summary of the targets\n`);
console.log('| benchmark | figure | engine | baseline | ratio | target | verdict |');
console.log('|---|---|---:|---:|---:|---:|---|');
let misses = 0;
for (const { name, rows } of results) {
  for (const r of rows.filter((r) => r.pass !== null)) {
    if (!r.pass) misses += 1;
    const verdict = r.pass ? 'PASS' : 'MISS';
    console.log(
      `| ${name} | ${r.figure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} | ${verdict} |`,
    );
  }
}
const total = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\n${misses} target(s) missed; ${failed.length} benchmark(s) failed; ${total} s in all`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
