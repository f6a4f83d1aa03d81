// A restartable TCP front for the emulator: the clients talk to it, it pipes every connection to the emulator.
// It exists because the emulator cannot be restarted with its state (createEmulator always builds a new World
// and keeps its HTTP server and socket hub private): "restarting the server" here is what clients see of a
// restart — every connection reset, the port refusing connections for a while, then the same port answering
// again with the same state behind it.
import { connect, createServer } from 'node:net';

/**
 * Starts a TCP front on 127.0.0.1 (a free port) that forwards to `target`.
 *
 * @example
 * ```js
 * const front = await startFront({ host: '127.0.0.1', port: 7270 });
 * await front.restart(3000); // connections reset, refused for 3 s, then accepted again on front.port
 * await front.close();
 * ```
 * @param {{ host: string, port: number }} target
 */
export async function startFront(target) {
  /** Both ends of every piped connection, to reset them all at once. */
  const live = new Set();
  let port = 0;
  let server = null;
  let refusedUntil = 0;

  const listen = () =>
    new Promise((resolve, reject) => {
      const next = createServer({ noDelay: true }, (downstream) => {
        const upstream = connect({ host: target.host, port: target.port, noDelay: true });
        const pair = { downstream, upstream };
        live.add(pair);
        const end = () => {
          live.delete(pair);
          downstream.destroy();
          upstream.destroy();
        };
        downstream.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
        downstream.pipe(upstream);
        upstream.pipe(downstream);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        server = next;
        port = next.address().port;
        resolve();
      });
    });

  const stop = () =>
    new Promise((resolve) => {
      const current = server;
      server = null;
      // resetAndDestroy: the peers see ECONNRESET, as after a crash, rather than a polite FIN.
      for (const { downstream, upstream } of live) {
        downstream.resetAndDestroy?.() ?? downstream.destroy();
        upstream.destroy();
      }
      live.clear();
      if (current) current.close(() => resolve());
      else resolve();
    });

  await listen();
  return {
    get port() {
      return port;
    },
    /** True while the front refuses connections. */
    get down() {
      return Date.now() < refusedUntil;
    },
    /** Resets every connection, refuses new ones for `downMs`, then listens on the same port again. */
    async restart(downMs) {
      refusedUntil = Date.now() + downMs;
      await stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      for (let tries = 0; ; tries += 1) {
        try {
          await listen();
          return;
        } catch (error) {
          // The port may linger for a moment after close; never give it up to another process.
          if (tries >= 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    close: stop,
  };
}
