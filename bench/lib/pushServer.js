// A minimal notification socket server in a child process: it speaks the handshake a client needs
// (`{"event":"connection.ready"}` on connect, then waits for `chat.start`) and, on command, writes osu!-shaped
// `chat.message.new` frames (lib/frames.js) straight onto the TCP socket, pre-framed in ~512-frame chunks with
// backpressure. In its own process (on the other core) it costs the client under test nothing, and the
// client's `process.cpuUsage()` is the client's alone: the benchmark measures the client, not the server.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createFrameSource } from './frames.js';

const CHUNK_FRAMES = 512;

const ROLE = 'OSU_CHAT_BENCH_PUSH_SERVER';
if (process.env[ROLE] === '1') await serve();

/**
 * Starts the push server. `nextStarted()` resolves with the id of the next connection that sends `chat.start`;
 * `push(id, spec)` writes frames `spec.from … spec.from+spec.count-1` of the stream `{channelIds, startId}`
 * to it and resolves with `{bytes}` (JSON bytes written) once they are all handed to the kernel.
 */
export async function startPushServer() {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [ROLE]: '1' },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const started = [];
  const waiting = [];
  const pushes = new Map();
  let nextPush = 1;
  let resolveUrl;
  const urlReady = new Promise((resolve) => {
    resolveUrl = resolve;
  });
  let closing = false;
  const failed = (reason) => {
    console.error(`push server failed: ${reason}`);
    process.exit(1);
  };
  child.on('error', failed);
  child.on('exit', (code) => {
    if (!closing) failed(`exit code ${code}`);
  });
  child.on('message', (message) => {
    if (message.type === 'listening') resolveUrl(message.url);
    else if (message.type === 'started') {
      const waiter = waiting.shift();
      if (waiter) waiter(message.id);
      else started.push(message.id);
    } else if (message.type === 'pushed') {
      pushes.get(message.push)?.(message);
      pushes.delete(message.push);
    }
  });
  const url = await urlReady;
  return {
    url,
    nextStarted() {
      const id = started.shift();
      if (id !== undefined) return Promise.resolve(id);
      return new Promise((resolve) => waiting.push(resolve));
    },
    push(connection, spec) {
      const push = nextPush++;
      const done = new Promise((resolve) => pushes.set(push, resolve));
      child.send({ type: 'push', push, connection, spec });
      return done;
    },
    async close() {
      closing = true;
      const exited = once(child, 'exit');
      child.send({ type: 'close' });
      await exited;
    },
  };
}

// ---- the server process ----------------------------------------------------------------------------------

async function serve() {
  // The benchmark is gone (finished or crashed): so is its server.
  process.on('disconnect', () => process.exit(0));
  const server = createServer((_, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const connections = new Map();
  let nextId = 1;
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = nextId++;
      // The raw socket is ours to write pre-built frames on; `ws` only reads the client's few frames.
      connections.set(id, { ws, socket });
      socket.setNoDelay(true);
      ws.on('message', (data) => {
        if (String(data).includes('"chat.start"')) process.send({ type: 'started', id });
      });
      ws.on('close', () => connections.delete(id));
      ws.on('error', () => connections.delete(id));
      ws.send('{"event":"connection.ready"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send({ type: 'listening', url: `ws://127.0.0.1:${server.address().port}/` });

  process.on('message', async (message) => {
    if (message.type === 'close') {
      for (const { socket } of connections.values()) socket.destroy();
      server.close();
      wss.close();
      process.disconnect();
      return;
    }
    if (message.type !== 'push') return;
    const connection = connections.get(message.connection);
    const { spec } = message;
    let bytes = 0;
    if (connection) {
      const source = createFrameSource(spec);
      const end = spec.from + spec.count;
      for (let index = spec.from; index < end; ) {
        const stop = Math.min(end, index + CHUNK_FRAMES);
        const parts = [];
        for (; index < stop; index += 1) {
          const payload = Buffer.from(source.frame(index));
          bytes += payload.length;
          parts.push(frameHeader(payload.length), payload);
        }
        if (!connection.socket.write(Buffer.concat(parts))) await once(connection.socket, 'drain');
      }
    }
    process.send({ type: 'pushed', push: message.push, bytes });
  });
}

/** The header of an unmasked, final text frame (RFC 6455 §5.2). */
function frameHeader(length) {
  if (length < 126) return Buffer.from([0x81, length]);
  if (length < 65_536) return Buffer.from([0x81, 126, length >> 8, length & 0xff]);
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}
