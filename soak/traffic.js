// Who talks during the soak: every client sends (sometimes the same text twice in a row, so a double post
// cannot hide), and the rest of the server (carol and a small crowd) posts through the emulator's pipeline.
import { isChatError } from '@osu-chat/core';

/** At most this many unsettled sends per client: an outage must not queue an unbounded backlog. */
const MAX_OUTSTANDING = 4;
const WORDS = ['hi', 'o/', 'gg', 'nice pass', 'fc!', '727', 'farm map', 'ranked?', 'pp', 'ごめん', '🎵'];

/**
 * Sends from one client every 0.8–2.5 s into a random channel of its own. Each send is recorded as
 * `{ userId, channelId, text, state, id, error }` in `sends` and updated when its promise settles; a rejection
 * that is not a ChatError counts in `entry.untyped`.
 */
export function startSender(entry, sends, random) {
  const { client, spec, channels } = entry;
  let outstanding = 0;
  let n = 0;
  let timer;
  const send = (channelId, text) => {
    const record = { userId: spec.user.id, channelId, text, state: 'pending', id: null, error: null };
    sends.push(record);
    outstanding += 1;
    client.send(channelId, text).then(
      (message) => {
        outstanding -= 1;
        record.state = 'sent';
        record.id = message.id;
        record.channelId = message.channelId;
      },
      (error) => {
        outstanding -= 1;
        record.state = 'failed';
        record.error = isChatError(error) ? error.kind : 'untyped';
        if (!isChatError(error)) entry.untyped += 1;
      },
    );
  };
  const tick = () => {
    if (outstanding < MAX_OUTSTANDING) {
      const channelId = channels[Math.floor(random() * channels.length)];
      n += 1;
      const text = `${spec.name} #${n} ${WORDS[Math.floor(random() * WORDS.length)]}`;
      send(channelId, text);
      if (random() < 0.1) send(channelId, text);
    }
    timer = setTimeout(tick, 800 + random() * 1700);
  };
  timer = setTimeout(tick, random() * 1000);
  return {
    stop() {
      clearTimeout(timer);
    },
  };
}

/**
 * Everyone else: a message every 0.2–0.8 s from carol or the crowd, 80 % in public channels and 20 % in
 * carol's PMs, with an occasional burst of 10 into one channel.
 */
export function startTraffic(emu, world, random) {
  const posters = [world.carol, ...world.crowd];
  let n = 0;
  let timer;
  const post = (channelId, senderId) => {
    n += 1;
    emu.postMessage(channelId, { sender_id: senderId, content: `crowd #${n}` });
  };
  const tick = () => {
    if (random() < 0.8) {
      const channelId = world.publicIds[Math.floor(random() * world.publicIds.length)];
      const sender = posters[Math.floor(random() * posters.length)];
      const burst = random() < 0.03 ? 10 : 1;
      for (let i = 0; i < burst; i += 1) post(channelId, sender.id);
    } else {
      post(random() < 0.5 ? world.pms.aliceCarol : world.pms.bobCarol, world.carol.id);
    }
    timer = setTimeout(tick, 200 + random() * 600);
  };
  timer = setTimeout(tick, 200);
  return {
    stop() {
      clearTimeout(timer);
    },
  };
}
