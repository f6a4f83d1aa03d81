// `npm start`: the local osu! chat emulator (demo seed, simulated traffic) and the demo app's Vite dev server,
// in one process. Ctrl-C stops both.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmulator } from '@osu-chat/emulator';
import { createServer } from 'vite';
import { demoConfigPlugin } from './demoConfig.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const TRAFFIC_PER_SECOND = 0.5;

async function startEmulator() {
  try {
    return await createEmulator({ port: 7270, seed: 'demo' });
  } catch (error) {
    if (error?.code !== 'EADDRINUSE') throw error;
    console.warn('Port 7270 is taken (another emulator?): starting this one on a free port.');
    return createEmulator({ port: 0, seed: 'demo' });
  }
}

const emulator = await startEmulator();
emulator.startTraffic(TRAFFIC_PER_SECOND);
const users = emulator.seededTokens.map(({ id, username, token, scopes }) => ({
  id,
  username,
  token,
  scopes,
}));

const vite = await createServer({
  root,
  configFile: `${root}/vite.config.ts`,
  plugins: [demoConfigPlugin({ apiUrl: emulator.apiUrl, socketUrl: emulator.socketUrl, users })],
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
});
await vite.listen();

const url = vite.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';
const names = [...new Set(users.map((u) => u.username))];
console.log(`
  osu!chat demo
  ─────────────
  App        ${url}
             signed in as ${names[0]} (third-party token); a second tab: ${url}?user=${names[1] ?? names[0]}
             lazer (*) token: ${url}?mode=lazer
  Emulator   ${emulator.apiUrl}  (socket ${emulator.socketUrl})
             seed demo, ${TRAFFIC_PER_SECOND} simulated messages/s; users: ${names.join(', ')}

  Press Ctrl-C to stop.
`);

let stopping = false;
async function stop(signal) {
  if (stopping) process.exit(1);
  stopping = true;
  console.log(`\n${signal}: stopping the demo…`);
  await Promise.allSettled([vite.close(), emulator.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
