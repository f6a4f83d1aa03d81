// `osu-chat-emulator`: runs the emulator from a terminal. stdout carries exactly one JSON line (the ready line)
// so scripts can read URLs and tokens from it; everything meant for humans goes to stderr.
import { parseArgs } from 'node:util';
import { createEmulator, type Emulator } from './index.js';
import type { SeedName } from './seed.js';

const USAGE = `Usage: osu-chat-emulator [options]

A local osu! chat server: the /api/v2 chat API, the notification websocket and a control API under /_emulator/.

Options:
  --port <n>        TCP port (default 7270; 0 picks a free port)
  --host <addr>     interface to bind (default 127.0.0.1)
  --seed <name>     initial data: demo (default) or empty
  --traffic <rate>  simulated users post <rate> messages per second (default 0: none)
  --verbose         log every HTTP request on stderr
  -h, --help        show this help

When ready, prints one JSON line on stdout:
  {"apiUrl":"http://127.0.0.1:7270","socketUrl":"ws://127.0.0.1:7270/home/notifications/feed","users":[{"id","username","token","scopes"}]}
Logs go to stderr. Ctrl-C shuts down.
`;

interface CliOptions {
  port: number;
  host: string;
  seed: SeedName;
  traffic: number;
  verbose: boolean;
}

/** Thrown for bad command-line input: the message goes to stderr and the exit code is 2. */
class UsageError extends Error {}

function parse(argv: string[]): CliOptions | 'help' {
  let values: ReturnType<typeof parseOptions>['values'];
  try {
    ({ values } = parseOptions(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const port = Number(values.port ?? '7270');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be 0–65535`);
  const seed = values.seed ?? 'demo';
  if (seed !== 'demo' && seed !== 'empty') throw new UsageError('--seed must be demo or empty');
  const traffic = Number(values.traffic ?? '0');
  if (!Number.isFinite(traffic) || traffic < 0 || values.traffic === '') {
    throw new UsageError('--traffic must be a number of messages per second ≥ 0');
  }
  const host = values.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  return { port, host, seed, traffic, verbose: values.verbose ?? false };
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      traffic: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Runs the CLI with `argv` (without `node` and the script path). Sets `process.exitCode`: 0 after a clean
 * shutdown, 1 when the server cannot start, 2 for invalid arguments.
 *
 * @example
 * ```sh
 * npx osu-chat-emulator --port 7270 --seed demo --traffic 2
 * ```
 */
export async function main(argv: string[]): Promise<void> {
  let options: CliOptions | 'help';
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`osu-chat-emulator: ${error.message}\nTry 'osu-chat-emulator --help'.`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }

  const { verbose } = options;
  let emulator: Emulator;
  try {
    emulator = await createEmulator({
      port: options.port,
      host: options.host,
      seed: options.seed,
      onRequest: verbose
        ? (r) => log(`${r.method} ${r.url} → ${r.status} (${r.ms.toFixed(1)} ms)`)
        : undefined,
    });
  } catch (error) {
    log(`osu-chat-emulator: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  if (options.traffic > 0) emulator.startTraffic(options.traffic);

  const ready = {
    apiUrl: emulator.apiUrl,
    socketUrl: emulator.socketUrl,
    users: emulator.seededTokens.map(({ id, username, token, scopes }) => ({ id, username, token, scopes })),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  log(`osu-chat-emulator listening on ${emulator.apiUrl}`);
  log(`  websocket  ${emulator.socketUrl}`);
  log(
    `  seed       ${options.seed} (${emulator.world.users.size} users, ${emulator.world.channels.size} channels)`,
  );
  log(`  traffic    ${options.traffic > 0 ? `${options.traffic} messages/s` : 'off'}`);
  const sample = emulator.seededTokens.find((t) => t.scopes.includes('*'));
  if (sample) {
    log(
      `  try        curl -H 'Authorization: Bearer ${sample.token}' ${emulator.apiUrl}/api/v2/chat/channels`,
    );
  }
  log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(`osu-chat-emulator: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`osu-chat-emulator: ${signal}, shutting down`);
    emulator.close().then(
      () => {
        process.exitCode = 0;
        // Nothing should be left running; this only guards against a stuck client connection.
        setTimeout(() => process.exit(0), 2000).unref();
      },
      (error: unknown) => {
        log(`osu-chat-emulator: error while closing: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
