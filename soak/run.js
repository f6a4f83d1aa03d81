// The chaos soak from the command line:
//
//   npm run soak -- --minutes 10            (builds the packages, then runs over their dist/)
//   node --expose-gc soak/run.js --minutes 1 --seed 42 --cap 60
//
// Prints progress on stderr and the report table on stdout; exits 1 when a message was lost, duplicated or
// double-posted (or any other check failed), 2 on bad arguments.
import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { runSoak } from './soak.js';

let args;
try {
  args = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      seed: { type: 'string' },
      cap: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  console.error(String(error.message));
  process.exit(2);
}
if (args.help) {
  console.log('usage: node --expose-gc soak/run.js [--minutes N] [--seed S] [--cap messagesPerChannel]');
  process.exit(0);
}
const minutes = Number(args.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`--minutes must be a positive number, got ${args.minutes}`);
  process.exit(2);
}
const seed = args.seed === undefined ? undefined : Number(args.seed);
const messageCap = args.cap === undefined ? undefined : Number(args.cap);

const started = Date.now();
const log = (line) =>
  console.error(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
log(`running ${minutes} min of chaos${seed === undefined ? '' : ` with seed ${seed}`}`);
const report = await runSoak({ durationMs: minutes * 60_000, seed, messageCap, log });
console.log(formatReport(report));
process.exit(report.ok ? 0 : 1);
