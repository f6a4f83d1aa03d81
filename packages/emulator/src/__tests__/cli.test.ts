// The built `osu-chat-emulator` bin as a user runs it: a child process, its ready line on stdout, real HTTP and
// websocket traffic against the printed URLs and tokens, and a clean exit on SIGINT. Turbo builds the package
// before its tests (turbo.json); a bare `vitest run` on a fresh clone builds once here.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const BIN = 'bin/osu-chat-emulator.js';

interface ReadyLine {
  apiUrl: string;
  socketUrl: string;
  users: { id: number; username: string; token: string; scopes: string[] }[];
}

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];

function start(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, exit };
}

/** Everything the process wrote to stdout once it has a first full line (or has exited). */
function firstLine(run: Run): Promise<{ line: string; rest: () => string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    run.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve({ line: stdout.slice(0, end), rest: () => stdout.slice(end + 1) });
    });
    run.exit.then(({ code }) =>
      reject(new Error(`exited with ${code} before a line; stderr:\n${run.stderr()}`)),
    );
  });
}

beforeAll(() => {
  if (!existsSync(`${PACKAGE_DIR}/dist/cli.js`)) {
    execFileSync('npm', ['run', 'build'], { cwd: PACKAGE_DIR, stdio: 'ignore', timeout: 60_000 });
  }
}, 60_000);

afterEach(() => {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('osu-chat-emulator CLI', () => {
  it('prints the ready line, serves the printed tokens over HTTP and the websocket, and exits 0 on SIGINT', async () => {
    const run = start(['--port', '0', '--seed', 'demo']);
    const { line, rest } = await firstLine(run);
    const ready = JSON.parse(line) as ReadyLine;

    expect(Object.keys(ready)).toEqual(['apiUrl', 'socketUrl', 'users']);
    expect(ready.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.socketUrl).toBe(`${ready.apiUrl.replace('http', 'ws')}/home/notifications/feed`);
    for (const user of ready.users) {
      expect(Object.keys(user)).toEqual(['id', 'username', 'token', 'scopes']);
    }
    // Every seeded user is listed twice: a `*` token and a third-party token.
    const mio = ready.users.filter((u) => u.username === 'Mio');
    expect(mio.map((u) => u.scopes)).toEqual([
      ['*'],
      ['chat.read', 'chat.write', 'chat.write_manage', 'identify'],
    ]);
    const star = mio[0] as ReadyLine['users'][number];

    const channels = await fetch(`${ready.apiUrl}/api/v2/chat/channels`, {
      headers: { Authorization: `Bearer ${star.token}` },
    });
    expect(channels.status).toBe(200);
    const list = (await channels.json()) as { channel_id: number; name: string }[];
    expect(list.map((c) => c.name)).toEqual(expect.arrayContaining(['#osu', '#lobby', '#help']));
    const osu = list.find((c) => c.name === '#osu') as { channel_id: number };

    // A websocket client: connection.ready → chat.start → ack → a message posted through the control API arrives.
    const ws = new WebSocket(ready.socketUrl, { headers: { Authorization: `Bearer ${star.token}` } });
    const frames: { event?: string; data?: { messages?: { content: string }[] } }[] = [];
    const arrived = (predicate: (f: (typeof frames)[number]) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (frames.some(predicate)) {
            ws.off('message', onFrame);
            resolve();
          }
        };
        const onFrame = () => check();
        ws.on('message', onFrame);
        check();
      });
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    await arrived((f) => f.event === 'connection.ready');
    ws.send(JSON.stringify({ event: 'chat.start' }));
    const ack = await fetch(`${ready.apiUrl}/api/v2/chat/ack`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${star.token}` },
    });
    expect(ack.status).toBe(200);
    await new Promise<void>((resolve) => {
      ws.once('pong', () => resolve());
      ws.ping();
    });
    const haruki = ready.users.find((u) => u.username === 'Haruki') as ReadyLine['users'][number];
    const posted = await fetch(`${ready.apiUrl}/_emulator/channels/${osu.channel_id}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender_id: haruki.id, content: 'hello from the CLI test' }),
    });
    expect(posted.status).toBe(201);
    await arrived(
      (f) => f.event === 'chat.message.new' && f.data?.messages?.[0]?.content === 'hello from the CLI test',
    );

    run.child.kill('SIGINT');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    await new Promise<void>((resolve) =>
      ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()),
    );
    // stdout held exactly the ready line; the logs went to stderr.
    expect(rest()).toBe('');
    expect(run.stderr()).toContain(`listening on ${ready.apiUrl}`);
  });

  it('--seed empty prints no users; SIGTERM also exits 0', async () => {
    const run = start(['--port', '0', '--seed', 'empty', '--traffic', '2']);
    const ready = JSON.parse((await firstLine(run)).line) as ReadyLine;
    expect(ready.users).toEqual([]);
    const state = await fetch(`${ready.apiUrl}/_emulator/state`);
    expect(((await state.json()) as { channels: unknown[] }).channels).toEqual([]);
    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 0, signal: null });
  });

  it('--verbose logs each HTTP request on stderr, never on stdout', async () => {
    const run = start(['--port', '0', '--seed', 'empty', '--verbose']);
    const { line, rest } = await firstLine(run);
    const ready = JSON.parse(line) as ReadyLine;
    await fetch(`${ready.apiUrl}/api/v2/chat/channels`);
    run.child.kill('SIGINT');
    await run.exit;
    expect(run.stderr()).toContain('GET /api/v2/chat/channels → 401');
    expect(rest()).toBe('');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--seed', 'full'], '--seed must be demo or empty'],
    [['--port', '70000'], '--port must be 0–65535'],
    [['--port', 'x'], '--port must be 0–65535'],
    [['--traffic=-1'], '--traffic must be a number of messages per second ≥ 0'],
    [['--traffic', 'lots'], '--traffic must be a number of messages per second ≥ 0'],
    [['extra'], "Unexpected argument 'extra'"],
  ])('invalid arguments %j → message on stderr, nothing on stdout, exit code 2', async (args, message) => {
    const run = start(args);
    let stdout = '';
    run.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    expect(await run.exit).toEqual({ code: 2, signal: null });
    expect(run.stderr()).toContain(message);
    expect(stdout).toBe('');
  });

  it('--help prints usage and exits 0', async () => {
    const run = start(['--help']);
    const { line } = await firstLine(run);
    expect(line).toBe('Usage: osu-chat-emulator [options]');
    expect(await run.exit).toEqual({ code: 0, signal: null });
  });

  it('a port already in use → a message on stderr and exit code 1', async () => {
    const first = start(['--port', '0', '--seed', 'empty']);
    const { apiUrl } = JSON.parse((await firstLine(first)).line) as ReadyLine;
    const port = new URL(apiUrl).port;
    const second = start(['--port', port, '--seed', 'empty']);
    expect(await second.exit).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toContain(`cannot listen on 127.0.0.1:${port}`);
    first.child.kill('SIGINT');
    expect(await first.exit).toEqual({ code: 0, signal: null });
  });
});
