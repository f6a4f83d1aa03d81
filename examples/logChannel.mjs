// Logs a channel's messages as they arrive, with RxJS operators.
//
//   node examples/logChannel.mjs                      # against an embedded emulator with simulated traffic
//   OSU_API=https://osu.ppy.sh OSU_TOKEN=… OSU_CHANNEL=5 node examples/logChannel.mjs   # against osu!
//
// (Run `npm install` first: it builds the packages this imports.)
import { createChatClient } from '@osu-chat/core';
import { createEmulator } from '@osu-chat/emulator';
import { distinct, filter, map, mergeMap, takeUntil, timer } from 'rxjs';

const emulator = process.env.OSU_TOKEN ? null : await createEmulator({ seed: 'demo' });
if (emulator) emulator.startTraffic(4);
const seeded = emulator?.seededTokens.find((t) => t.scopes.includes('*'));
const channelId = Number(process.env.OSU_CHANNEL ?? 1);

const client = createChatClient({
  apiUrl: process.env.OSU_API ?? emulator.apiUrl,
  token: process.env.OSU_TOKEN ?? seeded.token,
  socketUrl: process.env.OSU_SOCKET ?? emulator?.socketUrl,
});
client.connect();

const stop$ = timer(Number(process.env.SECONDS ?? 10) * 1000);

client.connection$.pipe(map((s) => s.status), takeUntil(stop$)).subscribe((status) => console.error(`[${status}]`));

client
  .messages$(channelId)
  .pipe(
    mergeMap(({ messages }) => messages), // every message in the current list…
    filter((m) => m.status === 'sent'), //   …that the server has…
    distinct((m) => m.id), //                 …once each
    map((m) => {
      const sender = client.user(m.senderId).getSnapshot()?.username ?? `#${m.senderId}`;
      const time = new Date(m.timestamp).toISOString().slice(11, 19);
      return m.isAction ? `${time} * ${sender} ${m.content}` : `${time} <${sender}> ${m.content}`;
    }),
    takeUntil(stop$),
  )
  .subscribe({
    next: (line) => console.log(line),
    complete: async () => {
      client.dispose();
      await emulator?.close();
    },
  });
